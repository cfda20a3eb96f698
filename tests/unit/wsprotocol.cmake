parley_add_test(tst_wsprotocol SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_wsprotocol.cpp LIBS parley_hub parley_test_support LABELS unit)
