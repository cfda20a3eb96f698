parley_add_test(tst_identityfile SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_identityfile.cpp
                LIBS parley_client LABELS unit)
