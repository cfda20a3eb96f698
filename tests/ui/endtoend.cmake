parley_add_test(tst_endtoend SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_endtoend.cpp LIBS parley_host LABELS ui)
target_compile_definitions(tst_endtoend PRIVATE PARLEY_INTEROP_DIR="${PROJECT_SOURCE_DIR}/tests/interop")
