parley_add_test(tst_storequeue SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_storequeue.cpp ${CMAKE_CURRENT_LIST_DIR}/sqlitehistorytesthelpers.h LIBS parley_hub LABELS unit)
