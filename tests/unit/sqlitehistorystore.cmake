# The SqliteHistoryStore tests are registered by sqlitehistoryqueries.cmake and
# sqlitehistorydurability.cmake.

# Not a test: prints append throughput (one message per transaction vs. batches of 50).
add_executable(bench_history ${PROJECT_SOURCE_DIR}/bench/bench_history.cpp)
target_link_libraries(bench_history PRIVATE parley_options parley_hub)
