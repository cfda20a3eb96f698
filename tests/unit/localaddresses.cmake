parley_add_test(tst_localaddresses SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_localaddresses.cpp
    LIBS parley_client LABELS unit)
