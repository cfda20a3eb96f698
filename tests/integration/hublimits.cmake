parley_add_test(tst_hublimits SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_hublimits.cpp ${CMAKE_CURRENT_LIST_DIR}/hubchannelstesthelpers.h
                LIBS parley_hub parley_test_support Qt6::WebSockets LABELS integration EACH_TRANSPORT)
