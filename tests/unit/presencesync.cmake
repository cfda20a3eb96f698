parley_add_test(tst_presencesync SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_presencesync.cpp
    LIBS parley_client LABELS unit)
