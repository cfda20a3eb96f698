# Widget tests of what a hub or a LAN neighbour cannot borrow (hubs as parley-hub processes, a
# forged beacon on loopback): beacons that name a known hub, a hub that claims a known hub's id,
# plain ws:// where TLS was, links without a certificate.
parley_add_test(tst_trustboundaries SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_trustboundaries.cpp ${CMAKE_CURRENT_LIST_DIR}/testwindow.h LIBS parley_app parley_test_common LABELS ui)
add_dependencies(tst_trustboundaries parley-hub)
