parley_add_test(tst_widgetrules SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_widgetrules.cpp LIBS parley_ui parley_test_common LABELS ui)
