parley_add_test(tst_identity SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_identity.cpp
                LIBS parley_protocol LABELS unit)
