# parley_add_test(tst_name SOURCES a.cpp... LIBS lib... LABELS unit|integration|interop|ui
#                 [TIMEOUT seconds] [EACH_TRANSPORT] [OVER_TLS] [NO_RUN])
# One Qt Test executable per class or feature, registered with ctest under its labels.
# Every test runs offscreen and with LAN discovery confined to loopback.
function(parley_add_test name)
    # EACH_TRANSPORT: the test runs a hub and is registered once per WebSocket transport:
    # `name` against the default (QWebSocketServer) and `name_epoll` against --transport epoll
    # (TestHub and parley-hub read PARLEY_TRANSPORT).
    # OVER_TLS: also `name_tls`, the default transport serving wss:// with the hub's own
    # certificate (TestHub reads PARLEY_TLS; the test clients trust the hubs TestHub started).
    # NO_RUN: only built; the caller registers how it runs (add_test, parley_test_properties).
    cmake_parse_arguments(ARG "EACH_TRANSPORT;OVER_TLS;NO_RUN" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE parley_options Qt6::Test ${ARG_LIBS})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    set(transports qt)
    if(ARG_EACH_TRANSPORT)
        list(APPEND transports epoll)
    endif()
    if(ARG_OVER_TLS)
        list(APPEND transports tls)
    endif()
    foreach(transport ${transports})
        set(test_name ${name})
        set(tls 0)
        if(transport STREQUAL "tls")
            set(transport qt)
            set(tls 1)
            set(test_name ${name}_tls)
        elseif(NOT transport STREQUAL "qt")
            set(test_name ${name}_${transport})
        endif()
        if(NOT ARG_NO_RUN)
            add_test(NAME ${test_name} COMMAND ${name})
            parley_test_properties(${test_name} "${ARG_LABELS}" ${ARG_TIMEOUT}
                "PARLEY_TRANSPORT=${transport};PARLEY_TLS=${tls}")
        endif()
    endforeach()
endfunction()

# What every registered test has: labels, a timeout, a failure on any skipped case, offscreen,
# LAN discovery confined to loopback; `environment` adds to that.
function(parley_test_properties test_name labels timeout environment)
    set_tests_properties(${test_name} PROPERTIES
        LABELS "${labels}"
        TIMEOUT ${timeout}
        # Qt Test ends with "Totals: P passed, F failed, S skipped, ...": a QSKIP (one in
        # initTestCase skips every case) or an executable with no test left must not pass.
        FAIL_REGULAR_EXPRESSION "Totals: 0 passed;Totals: [0-9]+ passed, [0-9]+ failed, [1-9][0-9]* skipped"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;PARLEY_DISCOVERY=loopback;QT_LOGGING_RULES=parley.*.debug=false;${environment};${PARLEY_SANITIZER_ENV}")
endfunction()
