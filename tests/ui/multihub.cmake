parley_add_test(tst_multihub SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_multihub.cpp ${CMAKE_CURRENT_LIST_DIR}/testwindow.h LIBS parley_host parley_test_support LABELS ui)
