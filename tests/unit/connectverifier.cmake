parley_add_test(tst_connectverifier SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_connectverifier.cpp
                LIBS parley_hub LABELS unit)
