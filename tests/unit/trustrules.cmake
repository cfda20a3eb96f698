parley_add_test(tst_trustrules SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_trustrules.cpp LIBS parley_client LABELS unit)
