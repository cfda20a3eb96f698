parley_add_test(tst_slowconsumer SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_slowconsumer.cpp
                LIBS parley_hub parley_test_support LABELS integration EACH_TRANSPORT OVER_TLS)
