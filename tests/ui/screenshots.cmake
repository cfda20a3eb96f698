# parley_screenshots: renders the docs' screenshots offscreen (run by tools/screenshots.sh).
# Not a test: it only draws; the checks are in tst_mainwindow.
add_executable(parley_screenshots ${CMAKE_CURRENT_LIST_DIR}/screenshots.cpp)
target_link_libraries(parley_screenshots PRIVATE parley_options parley_host parley_test_support Qt6::Test)
