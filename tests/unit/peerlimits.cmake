parley_add_test(tst_peerlimits SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_peerlimits.cpp LIBS parley_hub LABELS unit)
