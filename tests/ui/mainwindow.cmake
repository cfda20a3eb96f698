# A widget test: the window on a Workspace that only joins; the hubs are parley-hub processes
# (HubProcess), so neither the hub library nor SQLite or epoll is linked in.
parley_add_test(tst_mainwindow SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_mainwindow.cpp ${CMAKE_CURRENT_LIST_DIR}/windowfixture.h ${CMAKE_CURRENT_LIST_DIR}/testwindow.h LIBS parley_app parley_test_common LABELS ui)
add_dependencies(tst_mainwindow parley-hub)
