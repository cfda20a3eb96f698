#pragma once

#include <cstdio>
#include <cstdlib>

// A property check for the fuzz targets that aborts in every build type (Q_ASSERT is compiled
// out under QT_NO_DEBUG, which the RelWithDebInfo fuzz build defines), naming what failed so
// that libFuzzer saves the input as a crash.
#define FUZZ_CHECK(condition)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", __FILE__, __LINE__,          \
                         #condition);                                                              \
            std::abort();                                                                          \
        }                                                                                          \
    } while (false)
