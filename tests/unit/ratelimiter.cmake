parley_add_test(tst_ratelimiter SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_ratelimiter.cpp LIBS parley_hub LABELS unit)
