// parley-loadgen: command-line parsing, range checks and the loopback-only target check.
#include "options.h"

#include <arpa/inet.h>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>

namespace loadgen {

Options g_opt;
sockaddr_in g_target {};


[[noreturn]] void usageError(const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    std::fprintf(stderr, "parley-loadgen: ");
    std::vfprintf(stderr, fmt, args);
    std::fprintf(stderr, "\n");
    va_end(args);
    std::exit(2);
}

void parseArgs(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                usageError("%s needs a value", arg.c_str());
            return argv[++i];
        };
        if (arg == "--mode") {
            g_opt.modeName = value();
            const std::string &m = g_opt.modeName;
            if (m == "hold") g_opt.mode = Mode::Hold;
            else if (m == "storm") g_opt.mode = Mode::Storm;
            else if (m == "fanout") g_opt.mode = Mode::Fanout;
            else if (m == "rooms") g_opt.mode = Mode::Rooms;
            else if (m == "rtt") g_opt.mode = Mode::Rtt;
            else if (m == "presence-churn") g_opt.mode = Mode::PresenceChurn;
            else if (m == "slow-consumer") g_opt.mode = Mode::SlowConsumer;
            else usageError("unknown mode %s", m.c_str());
        } else if (arg == "--proto") {
            const std::string p = value();
            if (p == "phoenix") g_opt.proto = Proto::Phoenix;
            else if (p == "socketio") g_opt.proto = Proto::SocketIo;
            else usageError("--proto is phoenix or socketio");
        } else if (arg == "--host") g_opt.host = value();
        else if (arg == "--port") g_opt.port = std::atoi(value().c_str());
        else if (arg == "--path") g_opt.path = value();
        else if (arg == "--clients") g_opt.clients = std::atoi(value().c_str());
        else if (arg == "--rooms") g_opt.rooms = std::atoi(value().c_str());
        else if (arg == "--rate") g_opt.rate = std::atof(value().c_str());
        else if (arg == "--duration") g_opt.duration = std::atof(value().c_str());
        else if (arg == "--inflight") g_opt.inflight = std::atoi(value().c_str());
        else if (arg == "--body-bytes") g_opt.bodyBytes = std::atoi(value().c_str());
        else if (arg == "--active") g_opt.active = std::atoi(value().c_str());
        else if (arg == "--churners") g_opt.churners = std::atoi(value().c_str());
        else if (arg == "--churn-rate") g_opt.churnRate = std::atof(value().c_str());
        else if (arg == "--slow-percent") g_opt.slowPercent = std::atof(value().c_str());
        else if (arg == "--drain") g_opt.drain = std::atof(value().c_str());
        else if (arg == "--setup-timeout") g_opt.setupTimeout = std::atof(value().c_str());
        else if (arg == "--hub-pid") g_opt.hubPid = std::atoi(value().c_str());
        else if (arg == "--allow-loss") g_opt.allowLoss = true;
        else if (arg == "--lobby")
            g_opt.lobby = true;
        else if (arg == "--converge")
            g_opt.converge = true;
        else if (arg == "--sources") g_opt.sources = std::atoi(value().c_str());
        else if (arg == "--tls-fingerprint") {
            g_opt.tls = true;
            g_opt.tlsFingerprint = value();
            if (g_opt.tlsFingerprint.size() != 64)
                usageError("--tls-fingerprint takes the 64 hex digits parley-hub prints");
        }
        else if (arg == "--help" || arg == "-h") {
            std::puts(
                "parley-loadgen --mode hold|storm|fanout|rooms|rtt|presence-churn|slow-consumer\n"
                "  [--proto phoenix|socketio] [--host 127.0.0.1] --port P [--path P]\n"
                "  [--clients N] [--rooms M] [--rate R] [--duration S] [--inflight K]\n"
                "  [--body-bytes B] [--active P] [--churners C] [--churn-rate J]\n"
                "  [--slow-percent X] [--drain S] [--setup-timeout S] [--hub-pid PID]\n"
                "  [--allow-loss] [--sources 1-250] [--lobby] [--converge]\n"
                "Loopback targets only. Prints one JSON object; exit 1 on loss or failures.");
            std::exit(0);
        } else {
            usageError("unknown argument %s (see --help)", arg.c_str());
        }
    }
    if (g_opt.clients < 1 || g_opt.rooms < 1 || g_opt.duration <= 0 || g_opt.duration > 7200
        || g_opt.inflight < 1 || g_opt.sources < 1 || g_opt.sources > 250 || g_opt.bodyBytes < 16
        || g_opt.bodyBytes > 3900 || g_opt.setupTimeout <= 0 || g_opt.setupTimeout > 3600)
        usageError("argument out of range (see --help)");
    if ((g_opt.lobby || g_opt.converge) && g_opt.proto != Proto::Phoenix)
        usageError("--lobby and --converge need --proto phoenix");
    if (g_opt.converge && g_opt.mode != Mode::Storm)
        usageError("--converge is a storm option");
    if (g_opt.rooms > g_opt.clients && g_opt.mode != Mode::Rtt)
        usageError("--rooms must not exceed --clients");
    if (g_opt.path.empty())
        g_opt.path = g_opt.proto == Proto::Phoenix ? "/socket/websocket" : "/socket.io/?EIO=4&transport=websocket";
    g_target.sin_family = AF_INET;
    g_target.sin_port = htons(uint16_t(g_opt.port));
    if (g_opt.host == "localhost")
        g_opt.host = "127.0.0.1";
    if (inet_pton(AF_INET, g_opt.host.c_str(), &g_target.sin_addr) != 1)
        usageError("--host must be an IPv4 address");
    if ((ntohl(g_target.sin_addr.s_addr) >> 24) != 127)
        usageError("refusing target %s: only 127.0.0.0/8 is allowed", g_opt.host.c_str());
    if (g_opt.port < 1 || g_opt.port > 65535)
        usageError("--port is required (1-65535)");
}

void raiseFdLimit(size_t needed)
{
    rlimit limit {};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (needed + 16 > limit.rlim_cur)
        usageError("%zu connections need more than the fd limit %lu; run several processes",
                   needed, (unsigned long)limit.rlim_cur);
}

} // namespace loadgen
