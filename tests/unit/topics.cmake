parley_add_test(tst_topics SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_topics.cpp LIBS parley_protocol LABELS unit)
