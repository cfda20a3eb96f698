parley_add_test(tst_phoenixchannel SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_phoenixchannel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/phoenixtestserver.h LIBS parley_client LABELS unit)
target_include_directories(tst_phoenixchannel PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
