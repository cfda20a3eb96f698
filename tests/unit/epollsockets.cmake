parley_add_test(tst_epollsockets SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_epollsockets.cpp ${CMAKE_CURRENT_LIST_DIR}/epolltesthelpers.h LIBS parley_hub LABELS unit)
