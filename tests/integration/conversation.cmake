parley_add_test(tst_conversation SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_conversation.cpp
    ${CMAKE_CURRENT_LIST_DIR}/chatsessionfixture.h
    LIBS parley_client parley_hub parley_test_support LABELS integration TIMEOUT 180 EACH_TRANSPORT)
