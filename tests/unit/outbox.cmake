parley_add_test(tst_outbox SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_outbox.cpp
    LIBS parley_client parley_test_support LABELS unit)
