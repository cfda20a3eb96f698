parley_add_test(tst_hubcertificate SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_hubcertificate.cpp LIBS parley_hub LABELS unit)
