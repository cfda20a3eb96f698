parley_add_test(tst_presencedifferential SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_presencedifferential.cpp
                LIBS parley_client LABELS unit)
target_compile_definitions(tst_presencedifferential PRIVATE PARLEY_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
