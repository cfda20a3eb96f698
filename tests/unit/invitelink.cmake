parley_add_test(tst_invitelink SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_invitelink.cpp
    LIBS parley_client LABELS unit)
