parley_add_test(tst_phoenixsocket SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_phoenixsocket.cpp
    ${CMAKE_CURRENT_LIST_DIR}/phoenixtestserver.h LIBS parley_client LABELS unit)
target_include_directories(tst_phoenixsocket PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
