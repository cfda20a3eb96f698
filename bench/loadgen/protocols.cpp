// parley-loadgen: Phoenix v2 and Socket.IO message building and parsing (see protocols.h).
#include "protocols.h"

#include "options.h"
#include "stats.h"
#include "identity.h"
#include "tracking.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

namespace loadgen {

std::vector<std::string> g_topics;
std::vector<int> g_roomMembers;
bool g_measuring = false;
int64_t g_measureStartNs = 0;
int g_joinsDone = 0;
int64_t g_lastJoinNs = 0;
int g_roomsToCreate = 0;

namespace {
std::vector<uint64_t> g_createRefs; // per room index: the ref of its latest create_room
struct CreateRetry
{
    size_t room;
    int64_t dueNs;
};
std::vector<CreateRetry> g_createRetries;
} // namespace

void resendRateLimitedCreates(Client &setup, int64_t now)
{
    for (size_t i = 0; i < g_createRetries.size();) {
        if (g_createRetries[i].dueNs > now) {
            ++i;
            continue;
        }
        const size_t room = g_createRetries[i].room;
        g_createRetries.erase(g_createRetries.begin() + long(i));
        const uint64_t ref = setup.nextRef++;
        g_createRefs[room] = ref;
        sendPush(setup, "hub:lobby", "create_room", "{\"name\":\"" + g_topics[room].substr(5) + "\"}", ref,
                 setup.joinRef);
    }
}

namespace {

// The shown nick: lg00000042 for members, ch00000042 for churners (the user_id is the key's).
std::string nickOf(const Client &c)
{
    char nick[32];
    std::snprintf(nick, sizeof nick, "%s%08u", c.role == Churner ? "ch" : "lg", c.index);
    return nick;
}

// Reads one JSON string or null at p (Phoenix frame header fields; no escapes in them).
bool readField(std::string_view text, size_t &p, std::string_view &out)
{
    if (p < text.size() && text[p] == ',')
        ++p;
    if (text.compare(p, 4, "null") == 0) {
        out = {};
        p += 4;
        return true;
    }
    if (p >= text.size() || text[p] != '"')
        return false;
    const size_t end = text.find('"', p + 1);
    if (end == std::string_view::npos)
        return false;
    out = text.substr(p + 1, end - p - 1);
    p = end + 1;
    return true;
}

uint64_t toU64(std::string_view s)
{
    uint64_t v = 0;
    for (char ch : s) {
        if (ch < '0' || ch > '9')
            return 0;
        v = v * 10 + uint64_t(ch - '0');
    }
    return v;
}

// A message of the measured phase: its body starts "t=<send time ns> s=<number> ".
void onBroadcast(Client &c, std::string_view payload, int64_t now)
{
    const size_t at = payload.find("\"body\":\"t=");
    if (at == std::string_view::npos)
        return;
    char *end = nullptr;
    const int64_t t = std::strtoll(payload.data() + at + 10, &end, 10);
    if (!c.counted || !end || end[0] != ' ' || end[1] != 's' || end[2] != '=')
        return;
    const uint64_t seq = std::strtoull(end + 3, nullptr, 10);
    const uint64_t duplicatesBefore = c.seqDuplicates;
    g_deliveries.onReceived(c, seq, now - t);
    if (c.seqDuplicates != duplicatesBefore) {
        ++g_stats.duplicates;
        return;
    }
    ++g_stats.deliveries;
    g_stats.latency.record(now - t);
}

void onPresenceDiff(Client &c, std::string_view payload, int64_t now)
{
    if (g_opt.converge) {
        g_presence.applyDiff(c, payload, [](uint32_t, bool) {});
        return;
    }
    if (g_opt.mode != Mode::PresenceChurn)
        return;
    // Every churner key in the diff is one join or leave delivered to this member: its latency
    // runs from that churner's push.
    g_presence.applyDiff(c, payload, [&c, now](uint32_t key, bool) {
        if (!c.counted || key >= g_clients.size())
            return;
        const Client &churner = g_clients[key];
        if (churner.role != Churner)
            return;
        if (g_measuring)
            ++g_stats.presenceDiffs;
        g_stats.latency.record(now - churner.opSentNs);
    });
}

void onPhoenixText(Client &c, std::string_view text, int64_t now)
{
    size_t p = 1;
    std::string_view joinRef, ref, topic, event;
    if (text.empty() || text[0] != '[' || !readField(text, p, joinRef) || !readField(text, p, ref)
        || !readField(text, p, topic) || !readField(text, p, event))
        return;
    const std::string_view payload = text.substr(p + 1);
    if (topic == "phoenix")
        return; // heartbeat replies
    g_stats.countEvent(topic == "hub:lobby", event, text.size());
    if (event == "phx_reply") {
        const bool ok = payload.find("\"status\":\"error\"") == std::string_view::npos;
        const bool limited = !ok && payload.find("\"rate_limited\"") != std::string_view::npos;
        onReply(c, toU64(ref), ok, now, limited);
    } else if (event == "new_msg") {
        onBroadcast(c, payload, now);
    } else if (g_opt.lobby && topic == "hub:lobby") {
        return; // --lobby: the lobby's presence is only counted in bytes_in
    } else if (event == "presence_summary") {
        // Bounded presence (docs/protocol.md 6): how many users the room has in all.
        const size_t users = payload.find("\"users\":");
        c.summaryUsers
            = users == std::string_view::npos ? -1 : std::atoi(payload.data() + users + 8);
        c.summaryLimited = payload.find("\"limited\":true") != std::string_view::npos;
    } else if (event == "presence_diff") {
        onPresenceDiff(c, payload, now);
    } else if (event == "presence_state") {
        if (g_opt.mode == Mode::PresenceChurn || g_opt.converge)
            g_presence.applyState(c, payload.substr(0, payload.size() - 1)); // without the ']'
        if (c.role == Churner && c.inRoom && !c.leaving && c.joinSentNs) {
            g_stats.joinLatency.record(now - c.joinSentNs);
            ++g_stats.stateReceived;
            c.joinSentNs = 0;
        }
    } else if (event == "phx_close" || event == "phx_error") {
        if (topic != "phoenix" && !(c.role == Churner))
            closeClient(c, true);
    }
}

void onSocketIoText(Client &c, std::string_view text, int64_t now)
{
    if (text.empty())
        return;
    switch (text[0]) {
    case '0': // Engine.IO open
        if (c.state == State::EioOpen) {
            c.state = State::SioConnect;
            sendText(c, "40");
        }
        return;
    case '2': // ping
        sendText(c, "3");
        return;
    case '1': // close
        closeClient(c, true);
        return;
    case '4':
        break;
    default:
        return;
    }
    if (text.size() < 2)
        return;
    if (text[1] == '0') { // Socket.IO connect ack
        if (c.state == State::SioConnect) {
            c.state = State::Ready;
            onJoined(c, true); // "Ready" hook: the mode decides whether to join
        }
    } else if (text[1] == '3') { // ack: 43<id>[...]
        size_t p = 2;
        while (p < text.size() && text[p] >= '0' && text[p] <= '9')
            ++p;
        const bool ok = text.find("\"error\"") == std::string_view::npos;
        onReply(c, toU64(text.substr(2, p - 2)), ok, now);
    } else if (text[1] == '2') { // event: 42["new_msg",{...}]
        if (text.compare(2, 11, "[\"new_msg\",") == 0)
            onBroadcast(c, text.substr(13), now);
    } else if (text[1] == '1') {
        closeClient(c, true);
    }
}

} // namespace

// ---- protocol encoding --------------------------------------------------------------------

void sendUpgrade(Client &c)
{
    std::string path = g_opt.path;
    path += (path.find('?') == std::string::npos ? "?" : "&");
    if (g_opt.proto == Proto::Phoenix)
        path += "vsn=2.0.0&nick=" + nickOf(c) + "&device=bot&";
    // Both protocols carry the signed connect; the peers verify it the way the hub does.
    path += signedConnectQuery(c.index);
    char request[1024];
    std::snprintf(request, sizeof request,
                  "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                  path.c_str(), g_opt.host.c_str(), g_opt.port);
    c.state = State::Handshake;
    sendRaw(c, request);
}

void sendPush(Client &c, const std::string &topic, const char *event, std::string_view payload,
              uint64_t ref, uint64_t joinRef)
{
    std::string text;
    if (g_opt.proto == Proto::Phoenix) {
        char head[160];
        if (joinRef)
            std::snprintf(head, sizeof head, "[\"%" PRIu64 "\",\"%" PRIu64 "\",\"%s\",\"%s\",",
                          joinRef, ref, topic.c_str(), event);
        else
            std::snprintf(head, sizeof head, "[null,\"%" PRIu64 "\",\"%s\",\"%s\",", ref,
                          topic.c_str(), event);
        text = head;
        text.append(payload);
        text.push_back(']');
    } else {
        // Socket.IO event with an ack id: 42<id>["event",{"topic":...,...payload}]
        char head[160];
        std::snprintf(head, sizeof head, "42%" PRIu64 "[\"%s\",", ref, event);
        text = head;
        if (payload.size() > 2) {
            text += "{\"topic\":\"" + topic + "\",";
            text.append(payload.substr(1));
        } else {
            text += "{\"topic\":\"" + topic + "\"}";
        }
        text.push_back(']');
    }
    sendText(c, text);
}

void sendJoin(Client &c)
{
    const uint64_t ref = c.nextRef++;
    c.joinRef = ref;
    c.joinSentNs = nowNs();
    c.opSentNs = c.joinSentNs;
    c.state = State::Joining;
    const char *event = g_opt.proto == Proto::Phoenix ? "phx_join" : "join";
    sendPush(c, g_topics[size_t(c.room)], event, "{}", ref, ref);
}

void sendLeave(Client &c)
{
    const uint64_t ref = c.nextRef++;
    c.opSentNs = nowNs();
    c.leaving = true;
    sendPush(c, g_topics[size_t(c.room)], g_opt.proto == Proto::Phoenix ? "phx_leave" : "leave", "{}",
             ref, c.joinRef);
}

void sendHeartbeat(Client &c)
{
    if (g_opt.proto == Proto::Phoenix) {
        char text[64];
        std::snprintf(text, sizeof text, "[null,\"%" PRIu64 "\",\"phoenix\",\"heartbeat\",{}]", c.nextRef++);
        sendText(c, text);
    }
    // Socket.IO: the server pings and the client answers (see onText); nothing to send.
}

void sendMessage(Client &c, uint64_t seq)
{
    const int64_t t = nowNs();
    std::string payload = "{\"body\":\"t=" + std::to_string(t) + " s=" + std::to_string(seq) + " ";
    const size_t bodyStart = 9;
    while (payload.size() - bodyStart < size_t(g_opt.bodyBytes))
        payload.push_back('x');
    payload += "\"}";
    const uint64_t ref = c.nextRef++;
    if (c.role == Active)
        c.pending.push_back({ ref, t });
    sendPush(c, g_topics[size_t(c.room)], "new_msg", payload, ref, c.joinRef);
    ++g_stats.sent;
}

// ---- protocol decoding --------------------------------------------------------------------

void onText(Client &c, std::string_view text, int64_t now)
{
    ++g_stats.framesIn;
    if (g_opt.proto == Proto::Phoenix)
        onPhoenixText(c, text, now);
    else
        onSocketIoText(c, text, now);
}

void onJoined(Client &c, bool ok)
{
    if (c.state == State::Ready) {
        if (c.role == Setup) {
            // Create the rooms on hub:lobby (Phoenix only), then report done via replies.
            const uint64_t ref = c.nextRef++;
            c.joinRef = ref;
            // The creates follow the join's reply (onReply), as phoenix.js sends a channel's
            // pushes only once it is joined: thousands of frames pipelined before the hub has
            // even verified the connect are refused as a flood (docs/protocol.md, 7.6).
            sendPush(c, "hub:lobby", "phx_join", "{}", ref, ref);
            g_roomsToCreate = int(g_topics.size()) + 1;
            g_createRefs.clear();
            return;
        }
        if (c.role == Churner) {
            // Connected, not joined: ready for churn.
            settle(c);
            return;
        }
        if (g_opt.lobby && !c.lobbyRef) {
            // hub:lobby first; the room once its reply is here (onReply).
            c.lobbyRef = c.nextRef++;
            sendPush(c, "hub:lobby", "phx_join", "{}", c.lobbyRef, c.lobbyRef);
            return;
        }
        sendJoin(c);
        return;
    }
    // Join reply.
    if (!ok) {
        ++g_stats.joinFailures;
        closeClient(c, false);
        return;
    }
    c.state = State::Joined;
    const int64_t now = nowNs();
    g_stats.joinLatency.record(now - c.startNs);
    g_lastJoinNs = now;
    ++g_joinsDone;
    if (c.role != Active && !c.slow) {
        c.counted = true;
        ++g_roomMembers[c.room];
    }
    settle(c);
}

void onReply(Client &c, uint64_t ref, bool ok, int64_t now, bool rateLimited)
{
    if (c.role == Setup) {
        if (rateLimited) {
            // Refused by the rate limit: the room is sent again later, the retries paced at
            // 25/s (under the hub's default 30/s, so that it never sees a flood).
            for (size_t i = 0; i < g_createRefs.size(); ++i) {
                if (g_createRefs[i] != ref)
                    continue;
                const int64_t last = g_createRetries.empty() ? now : g_createRetries.back().dueNs;
                g_createRetries.push_back({ i, std::max(now + 100 * kMs, last + 40 * kMs) });
            }
            return;
        }
        if (ref == c.joinRef && g_createRefs.empty()) {
            for (size_t i = 0; i < g_topics.size(); ++i) {
                const std::string name = g_topics[i].substr(5);
                g_createRefs.push_back(c.nextRef);
                sendPush(c, "hub:lobby", "create_room", "{\"name\":\"" + name + "\"}", c.nextRef++, c.joinRef);
            }
        }
        --g_roomsToCreate; // "exists" errors are fine: the room is there
        return;
    }
    if (c.role == Churner) {
        if (ref == c.joinRef && c.state == State::Ready) {
            c.state = State::Joined; // presence_state latency is measured in onPhoenixText
            if (!ok)
                ++g_stats.joinFailures;
        } else if (c.leaving) {
            c.leaving = false;
            c.inRoom = false;
            c.state = State::Ready;
        }
        return;
    }
    if (c.state == State::Joining && ref == c.joinRef) {
        onJoined(c, ok);
        return;
    }
    if (c.state == State::Ready && c.lobbyRef && ref == c.lobbyRef) {
        if (!ok) {
            ++g_stats.joinFailures;
            closeClient(c, false);
            return;
        }
        sendJoin(c);
        return;
    }
    ++g_stats.replies;
    if (!ok)
        ++g_stats.pushErrors;
    if (c.role == Active) {
        size_t k = 0;
        while (k < c.pending.size() && c.pending[k].ref < ref)
            ++k;
        if (k < c.pending.size() && c.pending[k].ref == ref) {
            if (g_measuring)
                g_stats.latency.record(now - c.pending[k].sentNs);
            ++k;
        }
        c.pending.erase(c.pending.begin(), c.pending.begin() + long(k));
    }
}

} // namespace loadgen
