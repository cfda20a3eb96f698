parley_add_test(tst_hublistmodel SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_hublistmodel.cpp
    LIBS parley_client parley_test_support LABELS unit)
