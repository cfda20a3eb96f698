# A widget test like tst_mainwindow (the hub a parley-hub process): the reading place, start
# minimised, the window of rows of a busy room.
parley_add_test(tst_reading SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_reading.cpp ${CMAKE_CURRENT_LIST_DIR}/windowfixture.h ${CMAKE_CURRENT_LIST_DIR}/testwindow.h LIBS parley_app parley_test_common LABELS ui)
add_dependencies(tst_reading parley-hub)
