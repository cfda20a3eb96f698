// parley-loadgen: the benchmark modes. Each returns 0 when setup finished, -1 otherwise, and
// leaves its results in g_stats and g_extra.
#pragma once

#include <cstdint>

namespace loadgen {

int runHold(int64_t deadline);
int runStorm(int64_t deadline);
int runDeliveryMode(int64_t deadline); // fanout, rooms, slow-consumer
int runRtt(int64_t deadline);
int runPresenceChurn(int64_t deadline);

} // namespace loadgen
