# AppSettings' trust records and the one-time move of older settings to trust keys (no widgets
# shown, no hub).
parley_add_test(tst_trustsettings SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_trustsettings.cpp LIBS parley_ui LABELS ui)
