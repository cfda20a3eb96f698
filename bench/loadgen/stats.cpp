// parley-loadgen: hub /proc sampling and the JSON result.
#include "stats.h"

#include "options.h"
#include "wsclient.h"

#include <cstdarg>
#include <cstring>
#include <dirent.h>
#include <unistd.h>

namespace loadgen {

Stats g_stats;
ProcTrack g_proc;
std::string g_extra;

ProcSample sampleProc(int pid, bool countFds)
{
    ProcSample sample;
    if (pid <= 0)
        return sample;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", pid);
    if (FILE *f = std::fopen(path, "r")) {
        char line[256];
        while (std::fgets(line, sizeof line, f)) {
            if (std::strncmp(line, "VmRSS:", 6) == 0)
                sample.rssKb = std::atol(line + 6);
        }
        std::fclose(f);
    }
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (FILE *f = std::fopen(path, "r")) {
        char line[2048];
        if (std::fgets(line, sizeof line, f)) {
            const char *p = std::strrchr(line, ')');
            unsigned long utime = 0, stime = 0;
            // fields after the comm: state(3) ... utime(14) stime(15)
            if (p && std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
                                 &utime, &stime) == 2)
                sample.cpuSec = double(utime + stime) / double(sysconf(_SC_CLK_TCK));
        }
        std::fclose(f);
    }
    std::snprintf(path, sizeof path, "/proc/%d/fd", pid);
    if (DIR *dir = countFds ? opendir(path) : nullptr) {
        while (dirent *entry = readdir(dir))
            sample.fds += entry->d_name[0] != '.';
        closedir(dir);
    }
    return sample;
}

void ProcTrack::begin()
{
    start = sampleProc(g_opt.hubPid, true);
    rssMax = start.rssKb;
}

void ProcTrack::tick(bool countFds)
{
    const ProcSample s = sampleProc(g_opt.hubPid, countFds);
    rssMax = std::max(rssMax, s.rssKb);
    end = s;
}

void addField(const char *fmt, ...)
{
    char text[512];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    g_extra += ",";
    g_extra += text;
}

void printResult(int status, int64_t loss, int64_t started)
{
    std::string out = "{\"mode\":\"" + g_opt.modeName + "\"";
    char text[1024];
    std::snprintf(text, sizeof text,
                  ",\"proto\":\"%s\",\"params\":{\"clients\":%d,\"rooms\":%d,\"rate\":%.2f,"
                  "\"duration\":%.1f,\"inflight\":%d,\"body_bytes\":%d,\"active\":%d,"
                  "\"churners\":%d,\"churn_rate\":%.1f,\"slow_percent\":%.2f,"
                  "\"lobby\":%s,\"converge\":%s}",
                  g_opt.proto == Proto::Phoenix ? "phoenix" : "socketio", g_opt.clients,
                  g_opt.rooms, g_opt.rate, g_opt.duration, g_opt.inflight, g_opt.bodyBytes,
                  g_opt.active, g_opt.churners, g_opt.churnRate, g_opt.slowPercent,
                  g_opt.lobby ? "true" : "false", g_opt.converge ? "true" : "false");
    out += text;
    std::snprintf(text, sizeof text,
                  ",\"setup_ok\":%s,\"sent\":%" PRIu64 ",\"expected\":%" PRIu64
                  ",\"deliveries\":%" PRIu64 ",\"loss\":%" PRId64 ",\"connect_failures\":%" PRIu64
                  ",\"join_failures\":%" PRIu64 ",\"drops\":%" PRIu64 ",\"push_errors\":%" PRIu64
                  ",\"frames_in\":%" PRIu64 ",\"bytes_in\":%" PRIu64,
                  status == 0 ? "true" : "false", g_stats.sent, g_stats.expected, g_stats.deliveries,
                  loss, g_stats.connectFailures, g_stats.joinFailures, g_stats.drops,
                  g_stats.pushErrors, g_stats.framesIn, g_stats.bytesIn);
    out += text;
    out += ",\"latency_ms\":" + g_stats.latency.json();
    out += ",\"join_latency_ms\":" + g_stats.joinLatency.json();
    if (g_opt.hubPid) {
        std::snprintf(text, sizeof text,
                      ",\"hub\":{\"rss_start_kb\":%ld,\"rss_max_kb\":%ld,\"rss_end_kb\":%ld,"
                      "\"cpu_s\":%.2f,\"fds_end\":%d}",
                      g_proc.start.rssKb, g_proc.rssMax, g_proc.end.rssKb,
                      g_proc.end.cpuSec - g_proc.start.cpuSec, g_proc.end.fds);
        out += text;
    }
    std::snprintf(text, sizeof text, ",\"wall_s\":%.2f", double(nowNs() - started) / double(kSec));
    out += text;
    out += g_extra;
    out += "}\n";
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
}

} // namespace loadgen
