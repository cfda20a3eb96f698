// parley-loadgen: the hold, storm, fanout/rooms/slow-consumer, rtt and presence-churn drivers.
#include "modes.h"

#include "options.h"
#include "protocols.h"
#include "stats.h"
#include "tracking.h"
#include "wsclient.h"

#include <algorithm>
#include <cinttypes>
#include <vector>

namespace loadgen {

namespace {

bool createRooms(int64_t deadline)
{
    if (g_opt.proto != Proto::Phoenix || g_opt.rooms <= 1)
        return true;
    // The setup client is the last one; it creates the rooms on hub:lobby and closes.
    Client &setup = g_clients.back();
    setup.role = Setup;
    g_setupPending = 1;
    startConnect(setup, 0);
    g_roomsToCreate = -1;
    while (g_roomsToCreate != 0) {
        if (nowNs() > deadline || setup.fd < 0)
            return false;
        pump(5);
        resendRateLimitedCreates(setup, nowNs());
    }
    closeClient(setup, false);
    return true;
}

// Spreads members over rooms round-robin; index layout: [members][extras][setup].
void layout(int members, int extras, Role extraRole)
{
    g_clients.resize(size_t(members + extras + 1));
    for (size_t i = 0; i < g_clients.size(); ++i) {
        g_clients[i].index = uint32_t(i);
        g_clients[i].room = int(i % size_t(std::max(1, g_opt.rooms)));
    }
    for (int i = members; i < members + extras; ++i)
        g_clients[size_t(i)].role = extraRole;
    g_clients.back().role = Setup;
    g_roomMembers.assign(size_t(std::max(1, g_opt.rooms)), 0);
    g_topics.clear();
    if (g_opt.rooms <= 1) {
        g_topics.push_back("room:general");
    } else {
        for (int r = 0; r < g_opt.rooms; ++r)
            g_topics.push_back("room:lg" + std::to_string(r));
    }
}

bool setupMembers(size_t from, size_t to, int64_t deadline)
{
    return connectRange(from, to, g_opt.inflight, deadline);
}

// How many messages a sender whose first one is due at `phase` periods (0 <= phase < 1) owes
// after `periods` periods: one at phase, phase + 1, phase + 2, ...
uint64_t dueCount(double periods, double phase)
{
    return periods < phase ? 0 : uint64_t(periods - phase) + 1;
}

// Each room r gets `rate` messages/s from its publisher (the room's first member). The
// publishers are staggered evenly over one period, as independent rooms are: started in step,
// 1,000 rooms would send 1,000 messages in the same millisecond once per period, and the
// latency measured would be that burst's queue rather than the server's steady-state delay.
void publishLoop(const std::vector<size_t> &publishers, double rate, double seconds)
{
    std::vector<uint64_t> sent(publishers.size(), 0);
    const int64_t start = nowNs();
    runFor(seconds, [&](int64_t now) {
        const double elapsed = double(now - start) / double(kSec);
        for (size_t r = 0; r < publishers.size(); ++r) {
            const uint64_t due = dueCount(elapsed * rate, double(r) / double(publishers.size()));
            Client &pub = g_clients[publishers[r]];
            while (sent[r] < due && pub.fd >= 0) {
                const int members = g_roomMembers[size_t(pub.room)];
                g_deliveries.onSent(pub.room, sent[r], members);
                sendMessage(pub, sent[r]);
                g_stats.expected += uint64_t(members);
                ++sent[r];
            }
        }
    });
}

} // namespace

int runDeliveryMode(int64_t deadline)
{
    const int members = g_opt.clients;
    layout(members, 0, Member);
    if (g_opt.mode == Mode::SlowConsumer) {
        // Every `every`-th member (never a publisher) will stop reading once the room is full.
        // Its small receive buffer (set before connecting) keeps the kernel from absorbing much,
        // so what it does not read piles up in the hub, where the outgoing cap applies.
        const int every = g_opt.slowPercent > 0 ? std::max(2, int(100.0 / g_opt.slowPercent)) : 0;
        for (int i = g_opt.rooms; every && i < members; ++i)
            g_clients[size_t(i)].smallReceiveBuffer = i % every == every - 1;
    }
    if (!createRooms(deadline))
        return -1;
    const int64_t setupStart = nowNs();
    if (!setupMembers(0, size_t(members), deadline))
        return -1;
    addField("\"setup_s\":%.2f", double(nowNs() - setupStart) / double(kSec));
    // Let the join-time presence traffic finish before measuring.
    runFor(1.0, nullptr);
    int slowCount = 0;
    if (g_opt.mode == Mode::SlowConsumer) {
        for (int i = g_opt.rooms; i < members; ++i) {
            Client &c = g_clients[size_t(i)];
            if (c.smallReceiveBuffer && c.fd >= 0) {
                c.slow = true;
                if (c.counted) {
                    c.counted = false;
                    --g_roomMembers[size_t(c.room)];
                }
                setInterest(c, false, !c.out.empty());
                ++slowCount;
            }
        }
        addField("\"slow_clients\":%d", slowCount);
    }
    std::vector<size_t> publishers;
    for (int r = 0; r < std::max(1, g_opt.rooms); ++r) {
        g_clients[size_t(r)].role = Publisher;
        publishers.push_back(size_t(r));
    }
    g_deliveries.begin(g_roomMembers.size());
    g_proc.begin();
    g_measuring = true;
    g_measureStartNs = nowNs();
    const uint64_t othersDroppedBefore = g_stats.drops;
    publishLoop(publishers, g_opt.rate, g_opt.duration);
    const double sendSeconds = double(nowNs() - g_measureStartNs) / double(kSec);
    drainFor(g_opt.drain, [] { return g_stats.deliveries >= g_stats.expected; });
    g_proc.tick();
    g_measuring = false;
    // The exact count, member by member: what each was owed and what it got, once.
    const DeliveryTracker::Result result = g_deliveries.finish(g_clients);
    g_stats.expected = result.expected;
    g_stats.deliveries = result.unique;
    g_stats.duplicates = result.duplicates;
    addField("\"duplicates\":%" PRIu64, result.duplicates);
    addField("\"messages_complete\":%" PRIu64, result.messagesComplete);
    addField("\"last_recipient_ms\":%s", result.lastRecipient.json().c_str());
    if (g_opt.mode == Mode::SlowConsumer) {
        addField("\"slow_closed_seen\":%" PRIu64, g_slowClosed);
        addField("\"slow_closed_last_s\":%.2f",
                 g_slowClosedLastNs ? double(g_slowClosedLastNs - g_measureStartNs) / double(kSec) : -1.0);
        addField("\"others_dropped\":%" PRIu64, g_stats.drops - othersDroppedBefore);
    }
    addField("\"send_s\":%.2f", sendSeconds);
    addField("\"offered_deliveries_per_s\":%.0f", double(g_stats.expected) / sendSeconds);
    addField("\"deliveries_per_s\":%.0f", double(g_stats.deliveries) / sendSeconds);
    return 0;
}

int runHold(int64_t deadline)
{
    const int n = g_opt.clients;
    layout(n, 0, Member);
    if (!createRooms(deadline))
        return -1;
    const int64_t setupStart = nowNs();
    long rssThird = 0, rssFull = 0;
    const size_t third = size_t(n / 3);
    if (!setupMembers(0, third, deadline))
        return -1;
    if (g_opt.hubPid) {
        runFor(2.0, nullptr);
        rssThird = sampleProc(g_opt.hubPid).rssKb;
    }
    if (!setupMembers(third, size_t(n), deadline))
        return -1;
    addField("\"setup_s\":%.2f", double(nowNs() - setupStart) / double(kSec));
    if (g_opt.hubPid) {
        runFor(2.0, nullptr);
        rssFull = sampleProc(g_opt.hubPid).rssKb;
        addField("\"rss_third_kb\":%ld,\"rss_full_kb\":%ld,\"kb_per_conn\":%.2f", rssThird, rssFull,
                 double(rssFull - rssThird) / double(size_t(n) - third));
    }
    g_proc.begin();
    g_measuring = true;
    const uint64_t dropsBefore = g_stats.drops;
    runFor(g_opt.duration, nullptr);
    g_proc.tick();
    int open = 0;
    for (const Client &c : g_clients)
        open += c.fd >= 0 && c.state == State::Joined;
    addField("\"held\":%d", open);
    addField("\"drops_while_held\":%" PRIu64, g_stats.drops - dropsBefore);
    return 0;
}

// --converge: every joined member's room presence describes the room: the whole room, or, where
// the room lists only some of its users (bounded presence, docs/protocol.md 6), a summary
// counting them all and the same list as every other member.
bool presenceConverged(int joined)
{
    const Client *first = nullptr;
    for (const Client &c : g_clients) {
        if (c.role != Member || c.fd < 0 || c.state != State::Joined)
            continue;
        if (c.summaryLimited) {
            if (c.summaryUsers != joined)
                return false;
            if (!first)
                first = &c;
            else if (!g_presence.sameView(*first, c))
                return false;
        } else if (g_presence.keyCount(c) != size_t(joined)) {
            return false;
        }
    }
    return true;
}

int runStorm(int64_t deadline)
{
    const int n = g_opt.clients;
    layout(n, 0, Member);
    if (g_opt.converge)
        g_presence.reset(size_t(n), g_clients.size());
    if (!createRooms(deadline))
        return -1;
    const long rssBefore = g_opt.hubPid ? sampleProc(g_opt.hubPid).rssKb : 0;
    const int64_t start = nowNs();
    g_measuring = true;
    g_proc.begin(); // server CPU over the storm itself
    const bool finished = connectRange(0, size_t(n), g_opt.inflight, deadline);
    g_proc.tick();
    const ProcSample stormEnd = g_proc.end;
    const double seconds = double((g_lastJoinNs ? g_lastJoinNs : nowNs()) - start) / double(kSec);
    addField("\"joined\":%d", g_joinsDone);
    addField("\"joins_per_s\":%.0f", double(g_joinsDone) / seconds);
    addField("\"storm_s\":%.2f", seconds);
    if (g_opt.converge) {
        bool converged = false;
        // Polled every 50 ms: the time is known to that resolution. A server that has not
        // converged a minute after the last join is reported as not converged.
        const int64_t giveUp = std::min(deadline, nowNs() + 60 * kSec);
        while (nowNs() < giveUp && !(converged = presenceConverged(g_joinsDone)))
            runFor(0.05, nullptr);
        addField("\"presence_converged\":%d", converged ? 1 : 0);
        addField("\"converged_s\":%.2f", double(nowNs() - start) / double(kSec));
    }
    addField("\"bytes_in_per_client\":%.0f", double(g_stats.bytesIn) / double(std::max(1, n)));
    std::string byEvent;
    for (int lobby = 0; lobby < 2; ++lobby) {
        for (size_t e = 0; e < Stats::kEventCount; ++e) {
            const uint64_t bytes = g_stats.bytesByEvent[lobby][e];
            if (!bytes)
                continue;
            char item[96];
            std::snprintf(item, sizeof item, "%s\"%s %s\":%.0f", byEvent.empty() ? "" : ",",
                          lobby == 0 ? "lobby" : "room", Stats::kEvents[e],
                          double(bytes) / double(std::max(1, n)));
            byEvent += item;
        }
    }
    addField("\"bytes_per_client_by_event\":{%s}", byEvent.c_str());
    g_stats.expected = uint64_t(n);
    g_stats.deliveries = uint64_t(g_joinsDone);
    if (g_opt.hubPid)
        addField("\"server_cpu_ms_per_join\":%.3f",
                 1000.0 * (stormEnd.cpuSec - g_proc.start.cpuSec) / std::max(1, g_joinsDone));
    runFor(std::min(g_opt.duration, 2.0), nullptr); // are they still there?
    g_proc.tick();
    if (g_opt.hubPid) {
        // The hub's memory once the storm has settled, per client (compare B2's idle slope).
        const long rssAfter = sampleProc(g_opt.hubPid).rssKb;
        addField("\"rss_settled_kb\":%ld,\"settled_kb_per_client\":%.2f", rssAfter,
                 double(rssAfter - rssBefore) / double(std::max(1, g_joinsDone)));
    }
    return finished ? 0
                    : -1; // not converged is a result (presence_converged 0), not a failed setup
}

int runRtt(int64_t deadline)
{
    const int idle = g_opt.clients, active = g_opt.active;
    // Idle clients are spread over --rooms; each active client gets a room of its own so that a
    // push costs one reply and one delivery.
    const int idleRooms = std::max(1, g_opt.rooms);
    g_opt.rooms = idleRooms + active;
    layout(idle, active, Active);
    for (int i = 0; i < idle; ++i)
        g_clients[size_t(i)].room = i % idleRooms;
    for (int i = 0; i < active; ++i)
        g_clients[size_t(idle + i)].room = idleRooms + i;
    if (idleRooms == 1)
        g_topics[0] = "room:general";
    if (!createRooms(deadline))
        return -1;
    if (!setupMembers(0, size_t(idle + active), deadline))
        return -1;
    runFor(1.0, nullptr);
    g_proc.begin();
    g_measuring = true;
    g_measureStartNs = nowNs();
    const int64_t start = g_measureStartNs;
    std::vector<uint64_t> sent(size_t(active), 0);
    runFor(g_opt.duration, [&](int64_t now) {
        const double elapsed = double(now - start) / double(kSec);
        for (int i = 0; i < active; ++i) {
            // Stagger the active clients evenly over one period.
            const uint64_t due = dueCount(elapsed * g_opt.rate, double(i) / double(active));
            Client &c = g_clients[size_t(idle + i)];
            while (sent[size_t(i)] < due && c.fd >= 0) {
                sendMessage(c, sent[size_t(i)]);
                ++sent[size_t(i)];
            }
        }
    });
    const double seconds = double(nowNs() - start) / double(kSec);
    drainFor(g_opt.drain, [] { return g_stats.replies >= g_stats.sent; });
    g_proc.tick();
    g_stats.expected = g_stats.sent;
    g_stats.deliveries = g_stats.replies;
    addField("\"requests_per_s\":%.0f", double(g_stats.sent) / seconds);
    return 0;
}

int runPresenceChurn(int64_t deadline)
{
    if (g_opt.proto != Proto::Phoenix)
        usageError("presence-churn needs --proto phoenix");
    const int members = g_opt.clients, churners = g_opt.churners;
    layout(members, churners, Churner);
    for (Client &c : g_clients)
        c.room = 0;
    g_presence.reset(size_t(members), g_clients.size());
    if (!createRooms(deadline))
        return -1;
    if (!setupMembers(0, size_t(members + churners), deadline))
        return -1;
    runFor(1.0, nullptr);
    g_stats.joinLatency = Histogram(); // from here: churner join -> presence_state only
    g_proc.begin();
    g_measuring = true;
    const int64_t start = nowNs();
    uint64_t ops = 0;
    size_t cursor = 0;
    // Every op is a join of an idle churner or a leave of a joined one, alternating, at
    // 2 x churnRate ops/s; each one is owed a presence_diff by every member.
    runFor(g_opt.duration, [&](int64_t now) {
        const uint64_t due = uint64_t(double(now - start) / double(kSec) * 2 * g_opt.churnRate) + 1;
        while (ops < due) {
            Client &c = g_clients[size_t(members) + cursor];
            cursor = (cursor + 1) % size_t(churners);
            if (c.fd < 0 || c.leaving || (c.inRoom && c.state != State::Joined)) {
                ++ops;
                continue;
            }
            if (!c.inRoom) {
                c.inRoom = true;
                c.state = State::Ready;
                sendJoin(c);
                c.state = State::Ready; // Joined once the reply comes
                ++g_stats.churnJoins;
            } else {
                sendLeave(c);
            }
            ++c.ops;
            ++ops;
            g_stats.presenceExpected += uint64_t(g_roomMembers[0]);
            ++g_stats.sent;
        }
    });
    const double seconds = double(nowNs() - start) / double(kSec);
    const auto churnerBusy = [](const Client &c) {
        return c.role == Churner && c.fd >= 0 && (c.leaving || (c.inRoom && c.state != State::Joined));
    };
    drainFor(g_opt.drain, [&churnerBusy] {
        return g_stats.presenceDiffs >= g_stats.presenceExpected
                && std::none_of(g_clients.begin(), g_clients.end(), churnerBusy);
    });
    g_proc.tick();
    // Exact, per member and churner: each member must have received every join and leave of
    // every churner once (totals would let one member's duplicate hide another's loss).
    uint64_t owed = 0, received = 0, lost = 0, extra = 0;
    for (int i = 0; i < members; ++i) {
        const Client &m = g_clients[size_t(i)];
        if (!m.counted)
            continue;
        for (int k = members; k < members + churners; ++k) {
            const uint32_t want = g_clients[size_t(k)].ops, got = g_presence.opsReceived(m, uint32_t(k));
            owed += want;
            received += std::min(want, got);
            lost += want > got ? want - got : 0;
            extra += got > want ? got - want : 0;
        }
    }
    g_stats.expected = owed;
    g_stats.deliveries = received;
    g_stats.duplicates = extra;
    addField("\"duplicates\":%" PRIu64, extra);
    (void)lost; // = expected - deliveries, reported as "loss"
    // Every member's final list against the truth: the members still connected and the
    // churners that are in the room now.
    std::vector<bool> present(g_clients.size(), false);
    for (const Client &c : g_clients) {
        if (c.fd >= 0 && c.state == State::Joined && (c.role != Churner || c.inRoom) && c.role != Setup)
            present[c.index] = true;
    }
    uint64_t checked = 0;
    for (int i = 0; i < members; ++i) {
        const Client &c = g_clients[size_t(i)];
        if (c.fd < 0 || c.state != State::Joined)
            continue;
        ++checked;
        if (!g_presence.equals(c, [&present](uint32_t key) { return bool(present[key]); }))
            ++g_stats.presenceMismatches;
    }
    addField("\"presence_lists_checked\":%" PRIu64, checked);
    addField("\"presence_lists_equal\":%" PRIu64, checked - g_stats.presenceMismatches);
    addField("\"churn_ops_per_s\":%.1f", double(g_stats.sent) / seconds);
    addField("\"churn_joins_per_s\":%.1f", double(g_stats.churnJoins) / seconds);
    addField("\"diff_deliveries_per_s\":%.0f", double(g_stats.presenceDiffs) / seconds);
    addField("\"presence_state_received\":%" PRIu64, g_stats.stateReceived);
    return 0;
}

} // namespace loadgen
