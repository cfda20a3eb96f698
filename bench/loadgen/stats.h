// parley-loadgen: latency histogram, run counters, hub /proc sampling and the JSON result.
#pragma once

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

// Log-linear latency histogram: 1 us steps below 1 ms, 100 us steps to 200 ms, 10 ms steps to
// 600 s (the reference's resolution); anything longer lands in the last bucket.
class Histogram
{
public:
    Histogram() : m_counts(kFine + kMid + kCoarse + 1, 0) { }
    void record(int64_t ns)
    {
        if (ns < 0)
            ns = 0;
        const int64_t us = ns / 1000;
        size_t index;
        if (us < 1000)
            index = size_t(us);
        else if (us < 200'000)
            index = kFine + size_t((us - 1000) / 100);
        else
            index = std::min<size_t>(kFine + kMid + size_t((us - 200'000) / 10'000), m_counts.size() - 1);
        ++m_counts[index];
        ++m_total;
        m_max = std::max(m_max, ns);
    }
    uint64_t count() const { return m_total; }
    double maxMs() const { return double(m_max) / 1e6; }
    // Upper edge of the bucket holding the p-th percentile, in ms.
    double percentileMs(double p) const
    {
        if (m_total == 0)
            return 0;
        const uint64_t rank = std::max<uint64_t>(1, uint64_t(double(m_total) * p / 100.0 + 0.999999));
        uint64_t seen = 0;
        for (size_t i = 0; i < m_counts.size(); ++i) {
            seen += m_counts[i];
            if (seen >= rank)
                return std::min(upperUs(i) / 1000.0, maxMs());
        }
        return maxMs();
    }
    std::string json() const
    {
        char text[256];
        std::snprintf(text, sizeof text,
                      "{\"count\":%" PRIu64 ",\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f}",
                      m_total, percentileMs(50), percentileMs(99), percentileMs(99.9), maxMs());
        return text;
    }

private:
    static constexpr size_t kFine = 1000, kMid = 1990, kCoarse = 60'000;
    static double upperUs(size_t i)
    {
        if (i < kFine)
            return double(i + 1);
        if (i < kFine + kMid)
            return 1000.0 + double(i - kFine + 1) * 100;
        return 200'000.0 + double(i - kFine - kMid + 1) * 10'000;
    }
    std::vector<uint64_t> m_counts;
    uint64_t m_total = 0;
    int64_t m_max = 0;
};

struct Stats
{
    uint64_t connectFailures = 0, joinFailures = 0, drops = 0, pushErrors = 0;
    uint64_t sent = 0, expected = 0, deliveries = 0, replies = 0;
    uint64_t presenceDiffs = 0, presenceExpected = 0, stateReceived = 0, churnJoins = 0;
    uint64_t duplicates = 0; // deliveries seen twice or out of order (exact, per member)
    uint64_t presenceMismatches = 0; // members whose final presence list is not the truth
    uint64_t bytesIn = 0, framesIn = 0;
    // Phoenix text bytes by topic (lobby or room) and event, to say where bytes_in went.
    static constexpr const char *kEvents[]
        = { "phx_reply",     "presence_state", "presence_diff", "presence_summary",
            "rooms_changed", "new_msg",        "other" };
    static constexpr size_t kEventCount = sizeof kEvents / sizeof kEvents[0];
    uint64_t bytesByEvent[2][kEventCount] = {};
    void countEvent(bool lobby, std::string_view event, size_t bytes)
    {
        size_t i = 0;
        while (i + 1 < kEventCount && event != kEvents[i])
            ++i;
        bytesByEvent[lobby ? 0 : 1][i] += bytes;
    }
    Histogram latency; // deliveries (fanout/rooms/slow), replies (rtt), diffs (churn)
    Histogram joinLatency; // connect start -> join reply (storm), join -> presence_state (churn)
};

extern Stats g_stats;

// ---- hub process sampling (/proc) ---------------------------------------------------------

struct ProcSample
{
    long rssKb = 0;
    double cpuSec = 0;
    int fds = 0;
};

ProcSample sampleProc(int pid, bool countFds = true);

struct ProcTrack
{
    ProcSample start, end;
    long rssMax = 0;
    void begin();
    // countFds: also count /proc/PID/fd. Listing 10k descriptors stalls this thread for
    // milliseconds, so the once-a-second samples during a measurement skip it.
    void tick(bool countFds = true);
};
extern ProcTrack g_proc;

// ---- output -------------------------------------------------------------------------------

extern std::string g_extra; // mode-specific JSON fields
void addField(const char *fmt, ...);
// Prints the result object (one line of JSON) on stdout.
void printResult(int status, int64_t loss, int64_t startedNs);

} // namespace loadgen
