parley_add_test(tst_hubidentity SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_hubidentity.cpp
                LIBS parley_hub parley_test_support Qt6::WebSockets LABELS integration EACH_TRANSPORT OVER_TLS)
