parley_add_test(tst_sqlitehistorystore SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sqlitehistorystore.cpp LIBS parley_hub LABELS unit)

# Not a test: prints append throughput (one message per transaction vs. batches of 50).
add_executable(bench_history ${PROJECT_SOURCE_DIR}/bench/bench_history.cpp)
target_link_libraries(bench_history PRIVATE parley_options parley_hub)
