parley_add_test(tst_passwordhash SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_passwordhash.cpp LIBS parley_hub LABELS unit)
