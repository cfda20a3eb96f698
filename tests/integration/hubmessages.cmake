parley_add_test(tst_hubmessages SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_hubmessages.cpp ${CMAKE_CURRENT_LIST_DIR}/hubchannelstesthelpers.h LIBS parley_hub parley_test_support LABELS integration)
