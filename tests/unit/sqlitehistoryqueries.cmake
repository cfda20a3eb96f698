parley_add_test(tst_sqlitehistoryqueries SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sqlitehistoryqueries.cpp ${CMAKE_CURRENT_LIST_DIR}/sqlitehistorytesthelpers.h LIBS parley_hub LABELS unit)
