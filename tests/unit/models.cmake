parley_add_test(tst_models SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_models.cpp
    LIBS parley_client LABELS unit)
