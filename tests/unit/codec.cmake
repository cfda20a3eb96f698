parley_add_test(tst_codec SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_codec.cpp LIBS parley_protocol LABELS unit)
