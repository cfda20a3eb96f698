parley_add_test(tst_hubtrust SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_hubtrust.cpp LIBS parley_ui parley_test_support LABELS ui)
