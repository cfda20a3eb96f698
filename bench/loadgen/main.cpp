// parley-loadgen: a WebSocket load generator for Parley's hub and its benchmark peers.
//
// One process, one thread, raw epoll, no Qt: a load tool must be cheaper per connection than the
// server it measures. It speaks client-side WebSocket framing (masked) with either Phoenix
// Channels v2 (`--proto phoenix`, the hub and the Node ws peer) or Engine.IO 4 / Socket.IO 5
// over the WebSocket transport (`--proto socketio`, the Socket.IO peer).
//
// Safety: it refuses any target outside 127.0.0.0/8, binds its sources to 127.0.0.2..201 and
// every run ends by itself: the measured phase lasts --duration seconds and an alarm kills the
// process at a hard deadline. The result is one JSON object on stdout; the exit code is 0 when
// nothing was lost and nothing failed, 1 otherwise, 2 for bad arguments, 3 at the deadline.
//
// Modes (see bench/README.md): hold, storm, fanout, rooms, rtt, presence-churn, slow-consumer.

#include "identity.h"
#include "modes.h"
#include "options.h"
#include "stats.h"
#include "wsclient.h"

#include <csignal>
#include <sys/epoll.h>
#include <unistd.h>

using namespace loadgen;

namespace {

void onDeadline(int)
{
    static const char text[] = "{\"error\":\"hard deadline reached\"}\n";
    (void)!write(1, text, sizeof text - 1);
    _exit(3);
}

} // namespace

int main(int argc, char **argv)
{
    parseArgs(argc, argv);
    const size_t needed = size_t(g_opt.clients)
            + size_t(g_opt.mode == Mode::Rtt ? g_opt.active : 0)
            + size_t(g_opt.mode == Mode::PresenceChurn ? g_opt.churners : 0) + 1;
    raiseFdLimit(needed);
    makeIdentities(needed);
    std::signal(SIGPIPE, SIG_IGN);
    g_rng ^= uint32_t(getpid()) * 2654435761u;

    const double hardSeconds = g_opt.setupTimeout + g_opt.duration + g_opt.drain + 15;
    std::signal(SIGALRM, onDeadline);
    alarm(unsigned(hardSeconds) + 1);
    const int64_t deadline = nowNs() + int64_t(g_opt.setupTimeout * double(kSec));

    if (g_opt.tls && !initTls())
        return 2;
    if (!learnBinding())
        return 2;
    g_epoll = epoll_create1(EPOLL_CLOEXEC);
    const int64_t started = nowNs();
    int status = 0;
    switch (g_opt.mode) {
    case Mode::Hold: status = runHold(deadline); break;
    case Mode::Storm: status = runStorm(deadline); break;
    case Mode::Fanout:
    case Mode::Rooms:
    case Mode::SlowConsumer: status = runDeliveryMode(deadline); break;
    case Mode::Rtt: status = runRtt(deadline); break;
    case Mode::PresenceChurn: status = runPresenceChurn(deadline); break;
    }
    const int64_t loss = int64_t(g_stats.expected) - int64_t(g_stats.deliveries);
    printResult(status, loss, started);
    const bool failed = status != 0 || g_stats.connectFailures || g_stats.joinFailures
            || (g_opt.mode != Mode::Storm && g_stats.drops && g_opt.mode != Mode::SlowConsumer)
            || g_stats.pushErrors;
    const bool incomplete = loss > 0 || g_stats.duplicates > 0 || g_stats.presenceMismatches > 0;
    if (failed || (incomplete && !g_opt.allowLoss))
        return 1;
    return 0;
}
