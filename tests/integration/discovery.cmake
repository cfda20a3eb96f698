parley_add_test(tst_discovery SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_discovery.cpp
    LIBS parley_client parley_hub LABELS integration TIMEOUT 60)
