parley_add_test(tst_presencetracker SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_presencetracker.cpp LIBS parley_hub LABELS unit)
