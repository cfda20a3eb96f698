# A widget test of passwords kept in the secret store (hubs as parley-hub processes), run twice:
# on a real Secret Service (GNOME Keyring on a private D-Bus, in a temporary home: never the
# user's keyring) and with no D-Bus at all, each running the case written for it.
parley_add_test(tst_keptpasswords SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_keptpasswords.cpp ${CMAKE_CURRENT_LIST_DIR}/windowfixture.h ${CMAKE_CURRENT_LIST_DIR}/testwindow.h LIBS parley_app parley_test_common LABELS ui NO_RUN)
add_dependencies(tst_keptpasswords parley-hub)
add_test(NAME tst_keptpasswords
         COMMAND ${PROJECT_SOURCE_DIR}/tests/support/with-keyring.sh $<TARGET_FILE:tst_keptpasswords>
                 keptPasswordsBringTheLockedRoomBack plainHubIsNeverGivenAKeptPassword)
parley_test_properties(tst_keptpasswords ui 120 "")
add_test(NAME tst_keptpasswords_nostore
         COMMAND tst_keptpasswords withoutAStoreTheUserIsToldAndNotAsked)
parley_test_properties(tst_keptpasswords_nostore ui 120 "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/parley-no-bus")
