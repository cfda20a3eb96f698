# The desktop app's instance socket (App::InstanceChannel): no widgets, but it lives in the
# desktop's parley_app. Run as root, two cases play a second account in a child that drops to
# `nobody`.
parley_add_test(tst_instancechannel SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_instancechannel.cpp
                LIBS parley_app LABELS ui)
