# What other accounts on the hub's computer could read: its files, and its password in the
# process list. Two cases run the real parley-hub program.
parley_add_test(tst_hublocal SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_hublocal.cpp
                LIBS parley_hub parley_test_support Qt6::WebSockets LABELS integration)
target_compile_definitions(tst_hublocal PRIVATE PARLEY_HUB_PROGRAM="$<TARGET_FILE:parley-hub>")
add_dependencies(tst_hublocal parley-hub)
