parley_add_test(tst_hublobby SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_hublobby.cpp ${CMAKE_CURRENT_LIST_DIR}/hubchannelstesthelpers.h LIBS parley_hub parley_test_support LABELS integration)
