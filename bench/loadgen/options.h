// parley-loadgen: command-line options and the loopback-only target.
#pragma once

#include <netinet/in.h>
#include <string>

namespace loadgen {

enum class Proto { Phoenix, SocketIo };
enum class Mode { Hold, Storm, Fanout, Rooms, Rtt, PresenceChurn, SlowConsumer };

struct Options
{
    Mode mode = Mode::Fanout;
    std::string modeName = "fanout";
    Proto proto = Proto::Phoenix;
    std::string host = "127.0.0.1";
    int port = 4000;
    std::string path; // default per protocol
    int clients = 1000; // members (hold, fanout, rooms, slow-consumer), idle (rtt), room size (churn)
    int rooms = 1; // rooms the members are spread over; 1 means room:general
    double rate = 10; // messages/s per room (fanout, rooms); pushes/s per active client (rtt)
    double duration = 10; // measured phase, seconds
    int inflight = 128; // connects+joins in flight during setup (storm: --inflight)
    int bodyBytes = 100;
    int active = 200; // rtt: active clients
    int churners = 100; // presence-churn: pool of connections that join and leave
    double churnRate = 50; // presence-churn: joins/s (and as many leaves/s)
    double slowPercent = 1; // slow-consumer
    double drain = 5; // seconds to wait for outstanding deliveries after the measured phase
    double setupTimeout = 300;
    int hubPid = 0;
    bool allowLoss = false;
    int sources = 200; // 127.0.0.2 .. 127.0.0.(1+sources)
    bool settleRss = true; // hold: sample RSS at N/3 and N
    bool lobby = false; // members join hub:lobby before their room (as the desktop app does)
    bool converge = false; // storm: also wait until every member's room presence is complete
    // wss://: TLS on every connection; the hub's certificate must have this SHA-256 fingerprint
    // (lowercase hex, as parley-hub prints it), checked before anything is sent.
    bool tls = false;
    std::string tlsFingerprint;
};

extern Options g_opt;
extern sockaddr_in g_target; // checked to lie in 127.0.0.0/8 by parseArgs

[[noreturn]] void usageError(const char *fmt, ...);
void parseArgs(int argc, char **argv);
void raiseFdLimit(size_t needed);

} // namespace loadgen
