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
