parley_add_test(tst_multihub SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_multihub.cpp ${CMAKE_CURRENT_LIST_DIR}/testwindow.h LIBS parley_host parley_test_support LABELS ui)
# One case runs the real `parley` program with --host and --join.
target_compile_definitions(tst_multihub PRIVATE PARLEY_APP_PROGRAM="$<TARGET_FILE:parley>")
add_dependencies(tst_multihub parley parley-hub)
