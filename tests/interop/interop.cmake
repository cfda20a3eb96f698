# Interop: the stock phoenix npm client (ws transport) against parley-hub, under node --test.
find_program(NODE_EXECUTABLE node)
if(NODE_EXECUTABLE)
    file(GLOB interop_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.test.mjs)
    foreach(test_file ${interop_tests})
        get_filename_component(test_name ${test_file} NAME_WE)
        add_test(NAME interop_${test_name}
                 COMMAND ${NODE_EXECUTABLE} --test --test-force-exit --test-concurrency=1 ${test_file}
                 WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
        set_tests_properties(interop_${test_name} PROPERTIES
            LABELS interop TIMEOUT 300
            ENVIRONMENT "PARLEY_HUB=$<TARGET_FILE:parley-hub>;PARLEY_DISCOVERY=loopback;${PARLEY_SANITIZER_ENV}")
    endforeach()
else()
    message(WARNING "node not found: interop tests are not registered")
endif()
