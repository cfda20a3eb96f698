parley_add_test(tst_sqlitehistorydurability SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sqlitehistorydurability.cpp ${CMAKE_CURRENT_LIST_DIR}/sqlitehistorytesthelpers.h LIBS parley_hub LABELS unit)
