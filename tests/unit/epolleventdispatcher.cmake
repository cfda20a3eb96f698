parley_add_test(tst_epolleventdispatcher SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_epolleventdispatcher.cpp LIBS parley_hub LABELS unit)
