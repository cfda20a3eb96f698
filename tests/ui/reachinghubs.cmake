# A widget test like tst_mainwindow: the hubs are parley-hub processes, no hub library linked.
parley_add_test(tst_reachinghubs SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_reachinghubs.cpp ${CMAKE_CURRENT_LIST_DIR}/windowfixture.h ${CMAKE_CURRENT_LIST_DIR}/testwindow.h LIBS parley_app parley_test_common LABELS ui)
add_dependencies(tst_reachinghubs parley-hub)
