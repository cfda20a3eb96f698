# Interop: the stock phoenix npm client (ws transport) against parley-hub under node --test, and
# phoenix.js inside Debian's Chromium (browser.test.mjs, driven by playwright-core). Both are
# required: without them these tests would silently not exist, so configuring fails instead.
# tools/setup.sh installs them (apt-get nodejs chromium, npm ci from the committed lockfile).
find_program(NODE_EXECUTABLE node)
if(NOT NODE_EXECUTABLE)
    message(FATAL_ERROR "node not found: the interop tests need Node.js 20 (apt-get install nodejs; tools/setup.sh does it)")
endif()
find_program(CHROMIUM_EXECUTABLE NAMES chromium chromium-browser)
if(NOT CHROMIUM_EXECUTABLE)
    message(FATAL_ERROR "chromium not found: the browser tests need Debian's chromium (apt-get install chromium; tools/setup.sh does it)")
endif()
file(GLOB interop_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.test.mjs)
# The hostile suite and the core protocol file also run against --transport epoll (the hub
# reads PARLEY_TRANSPORT), so both transports answer every attack and refusal the same way.
set(each_transport hostile hub)
# These also run over wss:// (PARLEY_TLS=1: lib.mjs starts TLS hubs and trusts them); identity
# so that both bindings of the signed connect (fingerprint, hub id) meet phoenix.js.
set(over_tls hostile hub identity)
foreach(test_file ${interop_tests})
    get_filename_component(test_name ${test_file} NAME_WE)
    set(labels interop)
    if(test_name STREQUAL "browser")
        list(APPEND labels browser)
    endif()
    set(transports qt)
    if(test_name IN_LIST each_transport)
        list(APPEND transports epoll)
    endif()
    if(test_name IN_LIST over_tls)
        list(APPEND transports tls)
    endif()
    foreach(transport ${transports})
        set(ctest_name interop_${test_name})
        set(tls 0)
        if(transport STREQUAL "tls")
            set(transport qt)
            set(tls 1)
            set(ctest_name interop_${test_name}_tls)
        elseif(NOT transport STREQUAL "qt")
            set(ctest_name interop_${test_name}_${transport})
        endif()
        add_test(NAME ${ctest_name}
                 COMMAND ${NODE_EXECUTABLE} --test --test-force-exit --test-concurrency=1 ${test_file}
                 WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
        set_tests_properties(${ctest_name} PROPERTIES
            LABELS "${labels}" TIMEOUT 300
            # node --test prints "# pass N", "# skipped N", "# todo N": a file whose tests all
            # vanished or were skipped must not pass.
            FAIL_REGULAR_EXPRESSION "# pass 0\n;# skipped [1-9];# todo [1-9]"
            ENVIRONMENT "PARLEY_HUB=$<TARGET_FILE:parley-hub>;PARLEY_CHROMIUM=${CHROMIUM_EXECUTABLE};PARLEY_DISCOVERY=loopback;PARLEY_TRANSPORT=${transport};PARLEY_TLS=${tls};${PARLEY_SANITIZER_ENV}")
    endforeach()
endforeach()
