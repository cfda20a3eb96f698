parley_add_test(tst_phoenixclient SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_phoenixclient.cpp
    LIBS parley_client parley_hub parley_test_support LABELS integration EACH_TRANSPORT)
target_include_directories(tst_phoenixclient PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
