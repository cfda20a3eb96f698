parley_add_test(tst_storedmessage SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_storedmessage.cpp LIBS parley_hub LABELS unit)
