parley_add_test(tst_epolltimers SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_epolltimers.cpp ${CMAKE_CURRENT_LIST_DIR}/epolltesthelpers.h LIBS parley_hub LABELS unit)
