parley_add_test(tst_writebatch SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_writebatch.cpp
                LIBS parley_hub LABELS integration)
