parley_add_test(tst_hubconnection SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_hubconnection.cpp LIBS parley_hub parley_test_support LABELS integration)
