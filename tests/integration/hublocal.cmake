# What other accounts on the hub's computer could read: its files.
parley_add_test(tst_hublocal SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_hublocal.cpp
                LIBS parley_hub parley_test_support Qt6::WebSockets LABELS integration)
