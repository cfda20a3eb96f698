# bench_smoke: parley-hub under 1,000 clients of parley-loadgen --mode fanout for ~3 s; fails on
# any lost delivery (bench/smoke.sh). No timing assertions; the dispatcher class is checked by
# the C++ integration tests.
if(TARGET parley-hub)
    add_test(NAME bench_smoke
             COMMAND ${PROJECT_SOURCE_DIR}/bench/smoke.sh $<TARGET_FILE:parley-hub>
                     $<TARGET_FILE:parley-loadgen>)
    set_tests_properties(bench_smoke PROPERTIES
        LABELS integration
        TIMEOUT 120
        ENVIRONMENT "PARLEY_DISCOVERY=off;QT_LOGGING_RULES=parley.*.debug=false")
endif()

# bench_client_smoke: the client benchmark (bench/client/clientbench.cpp) for 3 s at 20 msg/s and
# 20 room switches; fails if a message or a switch is never painted. No timing assertions.
if(PARLEY_BUILD_DESKTOP)
    add_test(NAME bench_client_smoke
             COMMAND $<TARGET_FILE:parley-clientbench> --scenario steady --rate 20 --seconds 3)
    add_test(NAME bench_client_smoke_switch
             COMMAND $<TARGET_FILE:parley-clientbench> --scenario switch)
    set_tests_properties(bench_client_smoke bench_client_smoke_switch PROPERTIES
        LABELS integration
        TIMEOUT 120
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;PARLEY_DISCOVERY=loopback;QT_LOGGING_RULES=parley.*.debug=false")
endif()
