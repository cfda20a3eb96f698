parley_add_test(tst_tlssuites SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_tlssuites.cpp
                LIBS parley_hub parley_client parley_test_support LABELS integration)
