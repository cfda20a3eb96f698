parley_add_test(tst_privatefiles SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_privatefiles.cpp
                LIBS parley_protocol parley_test_common LABELS unit)
