# The desktop app's files: the settings (AppSettings) and, through the real `parley` program, the
# app data folder with the identity and the embedded hub's database.
parley_add_test(tst_appfiles SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_appfiles.cpp
                LIBS parley_ui parley_test_common LABELS ui)
target_compile_definitions(tst_appfiles PRIVATE PARLEY_APP_PROGRAM="$<TARGET_FILE:parley>")
add_dependencies(tst_appfiles parley)
