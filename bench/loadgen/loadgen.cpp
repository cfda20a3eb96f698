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

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cinttypes>
#include <csignal>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace {

int64_t nowNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMs = 1'000'000;

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
};

enum class State : uint8_t { Connecting, Handshake, EioOpen, SioConnect, Ready, Joining, Joined, Closed };
enum Role : uint8_t { Member, Publisher, Active, Churner, Setup };

struct Pending
{
    uint64_t ref;
    int64_t sentNs;
};

struct Client
{
    int fd = -1;
    State state = State::Connecting;
    Role role = Member;
    bool slow = false;
    bool counted = false; // counts toward deliveries
    bool inRoom = false; // churner: currently joined (or joining)
    bool leaving = false;
    int room = 0;
    uint32_t index = 0;
    uint64_t nextRef = 1;
    uint64_t joinRef = 0;
    int64_t startNs = 0; // connect() called
    int64_t joinSentNs = 0;
    int64_t opSentNs = 0; // churner: last join/leave sent
    std::string in; // bytes of an incomplete frame
    std::string frag; // fragmented message so far
    std::string out; // bytes the kernel did not take yet
    std::vector<Pending> pending; // rtt: pushes awaiting their reply, in send order
    bool settled = false; // setup finished for this client (joined, ready or failed)
};

struct Stats
{
    uint64_t connectFailures = 0, joinFailures = 0, drops = 0, pushErrors = 0;
    uint64_t sent = 0, expected = 0, deliveries = 0, replies = 0;
    uint64_t presenceDiffs = 0, presenceExpected = 0, stateReceived = 0;
    uint64_t bytesIn = 0, framesIn = 0;
    Histogram latency; // deliveries (fanout/rooms/slow), replies (rtt), diffs (churn)
    Histogram joinLatency; // connect start -> join reply (storm), join -> presence_state (churn)
};

Options g_opt;
Stats g_stats;
std::vector<Client> g_clients;
std::vector<std::string> g_topics;
std::vector<int> g_roomMembers; // joined, counted members per room
int g_epoll = -1;
sockaddr_in g_target {};
uint32_t g_rng = 0x9e3779b9;
bool g_measuring = false;
int64_t g_measureStartNs = 0;
char g_readBuf[1 << 16];

uint32_t rnd()
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return g_rng;
}

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

void onDeadline(int)
{
    static const char text[] = "{\"error\":\"hard deadline reached\"}\n";
    (void)!write(1, text, sizeof text - 1);
    _exit(3);
}

// ---- hub process sampling (/proc) ---------------------------------------------------------

struct ProcSample
{
    long rssKb = 0;
    double cpuSec = 0;
    int fds = 0;
};

ProcSample sampleProc(int pid)
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
    if (DIR *dir = opendir(path)) {
        while (dirent *entry = readdir(dir))
            sample.fds += entry->d_name[0] != '.';
        closedir(dir);
    }
    return sample;
}

struct ProcTrack
{
    ProcSample start, end;
    long rssMax = 0;
    void begin()
    {
        start = sampleProc(g_opt.hubPid);
        rssMax = start.rssKb;
    }
    void tick()
    {
        const ProcSample s = sampleProc(g_opt.hubPid);
        rssMax = std::max(rssMax, s.rssKb);
        end = s;
    }
} g_proc;

// ---- sockets and framing ------------------------------------------------------------------

void setInterest(Client &c, bool wantRead, bool wantWrite)
{
    epoll_event ev {};
    // A client that stopped reading must not hear about the peer's FIN either (it would spin).
    ev.events = (wantRead ? uint32_t(EPOLLIN | EPOLLRDHUP) : 0u) | (wantWrite ? uint32_t(EPOLLOUT) : 0u);
    ev.data.u32 = c.index;
    epoll_ctl(g_epoll, EPOLL_CTL_MOD, c.fd, &ev);
}

int g_setupPending = 0; // connections of the current setup batch not yet settled
uint64_t g_slowClosed = 0;

void settle(Client &c)
{
    if (!c.settled) {
        c.settled = true;
        --g_setupPending;
    }
}

void closeClient(Client &c, bool isDrop)
{
    if (c.fd < 0)
        return;
    if (c.slow)
        ++g_slowClosed;
    if (isDrop && (c.state == State::Joined || c.inRoom)) {
        ++g_stats.drops;
        if (c.counted && c.state == State::Joined)
            --g_roomMembers[c.room];
    } else if (isDrop && c.state != State::Joined) {
        ++g_stats.joinFailures;
    }
    epoll_ctl(g_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
    close(c.fd);
    c.fd = -1;
    c.state = State::Closed;
    c.counted = false;
    std::string().swap(c.in);
    std::string().swap(c.out);
    if (c.role != Setup)
        settle(c);
}

void flush(Client &c)
{
    while (!c.out.empty()) {
        const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
        if (n > 0) {
            c.out.erase(0, size_t(n));
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            setInterest(c, !c.slow, true);
            return;
        }
        closeClient(c, true);
        return;
    }
    setInterest(c, !c.slow, false);
}

void sendRaw(Client &c, std::string_view bytes)
{
    if (c.fd < 0)
        return;
    if (c.out.empty()) {
        const ssize_t n = send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n == ssize_t(bytes.size()))
            return;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            closeClient(c, true);
            return;
        }
        c.out.append(bytes.substr(n > 0 ? size_t(n) : 0));
        flush(c);
        return;
    }
    c.out.append(bytes);
}

// Client frames are masked (RFC 6455 5.3) with a fresh key per frame.
void sendFrame(Client &c, uint8_t opcode, std::string_view payload)
{
    std::string frame;
    frame.reserve(payload.size() + 14);
    frame.push_back(char(0x80 | opcode));
    if (payload.size() < 126) {
        frame.push_back(char(0x80 | payload.size()));
    } else if (payload.size() < 65536) {
        frame.push_back(char(0x80 | 126));
        frame.push_back(char(payload.size() >> 8));
        frame.push_back(char(payload.size() & 0xff));
    } else {
        frame.push_back(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.push_back(char((uint64_t(payload.size()) >> shift) & 0xff));
    }
    const uint32_t key = rnd();
    const char mask[4] = { char(key), char(key >> 8), char(key >> 16), char(key >> 24) };
    frame.append(mask, 4);
    const size_t start = frame.size();
    frame.append(payload);
    for (size_t i = 0; i < payload.size(); ++i)
        frame[start + i] ^= mask[i & 3];
    sendRaw(c, frame);
}

void sendText(Client &c, std::string_view text)
{
    sendFrame(c, 0x1, text);
}

// ---- protocol encoding --------------------------------------------------------------------

std::string userIdOf(const Client &c)
{
    char id[32];
    std::snprintf(id, sizeof id, "%s%08u", c.role == Churner ? "ch" : "lg", c.index);
    return id;
}

void sendUpgrade(Client &c)
{
    std::string path = g_opt.path;
    if (g_opt.proto == Proto::Phoenix) {
        const std::string id = userIdOf(c);
        path += (path.find('?') == std::string::npos ? "?" : "&");
        path += "vsn=2.0.0&user_id=" + id + "&nick=" + id + "&device=bot";
    }
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

// The churner index of the first key of "joins" or "leaves" in a presence_diff payload, or -1.
long diffKey(std::string_view payload, std::string_view field)
{
    const size_t at = payload.find(field);
    if (at == std::string_view::npos)
        return -1;
    size_t p = at + field.size();
    if (p + 12 > payload.size() || payload[p] != '"' || payload.compare(p + 1, 2, "ch") != 0)
        return -1;
    return long(toU64(payload.substr(p + 3, 8)));
}

void onJoined(Client &c, bool ok);
void onReply(Client &c, uint64_t ref, bool ok, int64_t now);

void onBroadcast(Client &c, std::string_view payload, int64_t now)
{
    const size_t at = payload.find("\"body\":\"t=");
    if (at == std::string_view::npos)
        return;
    const char *p = payload.data() + at + 10;
    const int64_t t = std::strtoll(p, nullptr, 10);
    if (c.counted) {
        ++g_stats.deliveries;
        g_stats.latency.record(now - t);
    }
}

void onPresenceDiff(Client &c, std::string_view payload, int64_t now)
{
    if (g_opt.mode != Mode::PresenceChurn || !c.counted)
        return;
    // A diff caused by a churner: latency from that churner's join/leave push.
    long key = diffKey(payload, "\"joins\":{");
    if (key < 0)
        key = diffKey(payload, "\"leaves\":{");
    if (key < 0 || size_t(key) >= g_clients.size())
        return;
    const Client &churner = g_clients[size_t(key)];
    if (churner.role != Churner)
        return;
    if (g_measuring)
        ++g_stats.presenceDiffs;
    g_stats.latency.record(now - churner.opSentNs);
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
    if (event == "phx_reply") {
        const bool ok = payload.find("\"status\":\"error\"") == std::string_view::npos;
        onReply(c, toU64(ref), ok, now);
    } else if (event == "new_msg") {
        onBroadcast(c, payload, now);
    } else if (event == "presence_diff") {
        onPresenceDiff(c, payload, now);
    } else if (event == "presence_state") {
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

void onText(Client &c, std::string_view text, int64_t now)
{
    ++g_stats.framesIn;
    if (g_opt.proto == Proto::Phoenix)
        onPhoenixText(c, text, now);
    else
        onSocketIoText(c, text, now);
}

// Parses complete frames from data; keeps the rest in c.in.
void onBytes(Client &c, const char *data, size_t size, int64_t now)
{
    std::string_view buf(data, size);
    std::string joined;
    if (!c.in.empty()) {
        c.in.append(data, size);
        joined.swap(c.in);
        buf = joined;
    }
    size_t p = 0;
    while (c.fd >= 0) {
        if (buf.size() - p < 2)
            break;
        const uint8_t b0 = uint8_t(buf[p]), b1 = uint8_t(buf[p + 1]);
        uint64_t len = b1 & 0x7f;
        size_t header = 2;
        if (len == 126) {
            if (buf.size() - p < 4)
                break;
            len = (uint64_t(uint8_t(buf[p + 2])) << 8) | uint8_t(buf[p + 3]);
            header = 4;
        } else if (len == 127) {
            if (buf.size() - p < 10)
                break;
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | uint8_t(buf[p + 2 + size_t(i)]);
            header = 10;
        }
        if (b1 & 0x80)
            header += 4; // servers never mask; tolerate it anyway by skipping the key
        if (buf.size() - p < header + len)
            break;
        const std::string_view payload = buf.substr(p + header, size_t(len));
        p += header + size_t(len);
        const uint8_t opcode = b0 & 0x0f;
        const bool fin = b0 & 0x80;
        if (opcode == 0x8) { // close
            closeClient(c, true);
            return;
        }
        if (opcode == 0x9) { // ping
            sendFrame(c, 0xA, payload);
            continue;
        }
        if (opcode == 0xA)
            continue;
        if (opcode == 0x0 || !fin) {
            c.frag.append(payload);
            if (fin) {
                std::string whole;
                whole.swap(c.frag);
                onText(c, whole, now);
            }
            continue;
        }
        onText(c, payload, now);
    }
    if (c.fd >= 0 && p < buf.size())
        c.in.assign(buf.substr(p));
}

void onReadable(Client &c, int64_t now)
{
    while (c.fd >= 0) {
        const ssize_t n = recv(c.fd, g_readBuf, sizeof g_readBuf, 0);
        if (n == 0) {
            closeClient(c, true);
            return;
        }
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                closeClient(c, true);
            return;
        }
        g_stats.bytesIn += uint64_t(n);
        if (c.state == State::Handshake) {
            c.in.append(g_readBuf, size_t(n));
            const size_t end = c.in.find("\r\n\r\n");
            if (end == std::string::npos) {
                if (c.in.size() > 8192)
                    closeClient(c, true);
                continue;
            }
            if (c.in.compare(0, 12, "HTTP/1.1 101") != 0) {
                closeClient(c, true);
                return;
            }
            std::string rest = c.in.substr(end + 4);
            c.in.clear();
            if (g_opt.proto == Proto::SocketIo) {
                c.state = State::EioOpen;
            } else {
                c.state = State::Ready;
                onJoined(c, true);
            }
            if (!rest.empty())
                onBytes(c, rest.data(), rest.size(), now);
            continue;
        }
        onBytes(c, g_readBuf, size_t(n), now);
        if (size_t(n) < sizeof g_readBuf)
            return;
    }
}

// ---- connection setup ---------------------------------------------------------------------

bool startConnect(Client &c, int sourceIndex)
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ++g_stats.connectFailures;
        return false;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
#ifdef IP_BIND_ADDRESS_NO_PORT
    setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
#endif
    sockaddr_in source {};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl((127u << 24) | uint32_t(2 + sourceIndex % g_opt.sources));
    if (bind(fd, reinterpret_cast<sockaddr *>(&source), sizeof source) != 0) {
        close(fd);
        ++g_stats.connectFailures;
        return false;
    }
    c.fd = fd;
    c.startNs = nowNs();
    c.state = State::Connecting;
    epoll_event ev {};
    ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
    ev.data.u32 = c.index;
    epoll_ctl(g_epoll, EPOLL_CTL_ADD, fd, &ev);
    if (connect(fd, reinterpret_cast<sockaddr *>(&g_target), sizeof g_target) != 0
        && errno != EINPROGRESS) {
        epoll_ctl(g_epoll, EPOLL_CTL_DEL, fd, nullptr);
        close(fd);
        c.fd = -1;
        c.state = State::Closed;
        ++g_stats.connectFailures;
        return false;
    }
    return true;
}

// Called when a connection is ready for its first channel op (Ready) and with the join result.
int g_joinsDone = 0;
int64_t g_lastJoinNs = 0;
int g_roomsToCreate = 0;

void onJoined(Client &c, bool ok)
{
    if (c.state == State::Ready) {
        if (c.role == Setup) {
            // Create the rooms on hub:lobby (Phoenix only), then report done via replies.
            const uint64_t ref = c.nextRef++;
            c.joinRef = ref;
            sendPush(c, "hub:lobby", "phx_join", "{}", ref, ref);
            for (size_t i = 0; i < g_topics.size(); ++i) {
                const std::string name = g_topics[i].substr(5);
                sendPush(c, "hub:lobby", "create_room", "{\"name\":\"" + name + "\"}", c.nextRef++, ref);
            }
            g_roomsToCreate = int(g_topics.size()) + 1;
            return;
        }
        if (c.role == Churner) {
            // Connected, not joined: ready for churn.
            settle(c);
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

void onReply(Client &c, uint64_t ref, bool ok, int64_t now)
{
    if (c.role == Setup) {
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

// ---- event loop ---------------------------------------------------------------------------

void pump(int timeoutMs)
{
    static epoll_event events[1024];
    const int n = epoll_wait(g_epoll, events, 1024, timeoutMs);
    const int64_t now = nowNs();
    for (int i = 0; i < n; ++i) {
        Client &c = g_clients[events[i].data.u32];
        if (c.fd < 0)
            continue;
        const uint32_t ev = events[i].events;
        if (c.state == State::Connecting) {
            if (ev & (EPOLLERR | EPOLLHUP)) {
                ++g_stats.connectFailures;
                closeClient(c, false);
                continue;
            }
            if (ev & EPOLLOUT) {
                setInterest(c, true, false);
                sendUpgrade(c);
            }
            continue;
        }
        if (c.slow && (ev & (EPOLLERR | EPOLLHUP))) {
            closeClient(c, false); // the hub gave up on it (slow_consumer)
            continue;
        }
        if (ev & EPOLLOUT)
            flush(c);
        if (c.fd >= 0 && (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && !c.slow)
            onReadable(c, now);
    }
}

// Round-robin heartbeats: every client once per 30 s, spread over the period.
struct Heartbeats
{
    size_t next = 0;
    int64_t lastNs = nowNs();
    double carry = 0;
    void tick(int64_t now)
    {
        if (g_clients.empty())
            return;
        carry += double(now - lastNs) / double(30 * kSec) * double(g_clients.size());
        lastNs = now;
        while (carry >= 1) {
            carry -= 1;
            Client &c = g_clients[next];
            next = (next + 1) % g_clients.size();
            if (c.fd >= 0 && !c.slow && c.state != State::Connecting && c.state != State::Handshake)
                sendHeartbeat(c);
        }
    }
} g_heartbeats;

// Connects [from, to) with at most `inflight` unfinished at once; returns false on timeout.
bool connectRange(size_t from, size_t to, int inflight, int64_t deadline)
{
    size_t next = from;
    g_setupPending = 0;
    while (true) {
        while (next < to && g_setupPending < inflight) {
            Client &c = g_clients[next];
            ++g_setupPending;
            c.settled = false;
            if (!startConnect(c, int(next)))
                settle(c);
            ++next;
        }
        if (next >= to && g_setupPending <= 0)
            return true;
        const int64_t now = nowNs();
        if (now > deadline)
            return false;
        pump(5);
        g_heartbeats.tick(nowNs());
    }
}

void runFor(double seconds, const std::function<void(int64_t)> &tick)
{
    const int64_t end = nowNs() + int64_t(seconds * double(kSec));
    int64_t lastSample = 0;
    while (true) {
        const int64_t now = nowNs();
        if (now >= end)
            return;
        if (tick)
            tick(now);
        g_heartbeats.tick(now);
        if (now - lastSample > kSec) {
            g_proc.tick();
            lastSample = now;
        }
        pump(1);
    }
}

// Waits until every expected delivery arrived or `seconds` passed.
void drainFor(double seconds, const std::function<bool()> &done)
{
    const int64_t end = nowNs() + int64_t(seconds * double(kSec));
    while (nowNs() < end && !done())
        pump(2);
}

// ---- modes --------------------------------------------------------------------------------

std::string g_extra; // mode-specific JSON fields

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

// Each room r gets `rate` messages/s from its publisher (the room's first member).
void publishLoop(const std::vector<size_t> &publishers, double rate, double seconds)
{
    std::vector<uint64_t> sent(publishers.size(), 0);
    const int64_t start = nowNs();
    runFor(seconds, [&](int64_t now) {
        const double elapsed = double(now - start) / double(kSec);
        const uint64_t due = uint64_t(elapsed * rate) + 1;
        for (size_t r = 0; r < publishers.size(); ++r) {
            Client &pub = g_clients[publishers[r]];
            while (sent[r] < due && pub.fd >= 0) {
                sendMessage(pub, sent[r]);
                g_stats.expected += uint64_t(g_roomMembers[size_t(pub.room)]);
                ++sent[r];
            }
        }
    });
}

int runDeliveryMode(int64_t deadline)
{
    const int members = g_opt.clients;
    layout(members, 0, Member);
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
        const int every = g_opt.slowPercent > 0 ? std::max(2, int(100.0 / g_opt.slowPercent)) : 0;
        for (int i = g_opt.rooms; every && i < members; ++i) {
            Client &c = g_clients[size_t(i)];
            if (i % every == every - 1 && c.fd >= 0) {
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
    g_proc.begin();
    g_measuring = true;
    g_measureStartNs = nowNs();
    publishLoop(publishers, g_opt.rate, g_opt.duration);
    const double sendSeconds = double(nowNs() - g_measureStartNs) / double(kSec);
    drainFor(g_opt.drain, [] { return g_stats.deliveries >= g_stats.expected; });
    g_proc.tick();
    g_measuring = false;
    if (g_opt.mode == Mode::SlowConsumer)
        addField("\"slow_closed_seen\":%" PRIu64, g_slowClosed);
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

int runStorm(int64_t deadline)
{
    const int n = g_opt.clients;
    layout(n, 0, Member);
    if (!createRooms(deadline))
        return -1;
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
    g_stats.expected = uint64_t(n);
    g_stats.deliveries = uint64_t(g_joinsDone);
    if (g_opt.hubPid)
        addField("\"server_cpu_ms_per_join\":%.3f",
                 1000.0 * (stormEnd.cpuSec - g_proc.start.cpuSec) / std::max(1, g_joinsDone));
    runFor(std::min(g_opt.duration, 2.0), nullptr); // are they still there?
    g_proc.tick();
    return finished ? 0 : -1;
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
            const double phase = double(i) / double(active);
            const uint64_t due = uint64_t(std::max(0.0, elapsed * g_opt.rate - phase)) + 1;
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
            } else {
                sendLeave(c);
            }
            ++ops;
            g_stats.presenceExpected += uint64_t(g_roomMembers[0]);
            ++g_stats.sent;
        }
    });
    const double seconds = double(nowNs() - start) / double(kSec);
    drainFor(g_opt.drain, [] { return g_stats.presenceDiffs >= g_stats.presenceExpected; });
    g_proc.tick();
    g_stats.expected = g_stats.presenceExpected;
    g_stats.deliveries = g_stats.presenceDiffs;
    addField("\"churn_ops_per_s\":%.1f", double(g_stats.sent) / seconds);
    addField("\"diff_deliveries_per_s\":%.0f", double(g_stats.presenceDiffs) / seconds);
    addField("\"presence_state_received\":%" PRIu64, g_stats.stateReceived);
    return 0;
}

// ---- arguments and output -----------------------------------------------------------------

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
        else if (arg == "--sources") g_opt.sources = std::atoi(value().c_str());
        else if (arg == "--help" || arg == "-h") {
            std::puts("parley-loadgen --mode hold|storm|fanout|rooms|rtt|presence-churn|slow-consumer\n"
                      "  [--proto phoenix|socketio] [--host 127.0.0.1] --port P [--path P]\n"
                      "  [--clients N] [--rooms M] [--rate R] [--duration S] [--inflight K]\n"
                      "  [--body-bytes B] [--active P] [--churners C] [--churn-rate J]\n"
                      "  [--slow-percent X] [--drain S] [--setup-timeout S] [--hub-pid PID]\n"
                      "  [--allow-loss] [--sources 1-250]\n"
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

} // namespace

int main(int argc, char **argv)
{
    parseArgs(argc, argv);
    const size_t needed = size_t(g_opt.clients)
            + size_t(g_opt.mode == Mode::Rtt ? g_opt.active : 0)
            + size_t(g_opt.mode == Mode::PresenceChurn ? g_opt.churners : 0) + 1;
    raiseFdLimit(needed);
    std::signal(SIGPIPE, SIG_IGN);
    g_rng ^= uint32_t(getpid()) * 2654435761u;

    const double hardSeconds = g_opt.setupTimeout + g_opt.duration + g_opt.drain + 15;
    std::signal(SIGALRM, onDeadline);
    alarm(unsigned(hardSeconds) + 1);
    const int64_t deadline = nowNs() + int64_t(g_opt.setupTimeout * double(kSec));

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
    std::string out = "{\"mode\":\"" + g_opt.modeName + "\"";
    char text[1024];
    std::snprintf(text, sizeof text,
                  ",\"proto\":\"%s\",\"params\":{\"clients\":%d,\"rooms\":%d,\"rate\":%.2f,"
                  "\"duration\":%.1f,\"inflight\":%d,\"body_bytes\":%d,\"active\":%d,"
                  "\"churners\":%d,\"churn_rate\":%.1f,\"slow_percent\":%.2f}",
                  g_opt.proto == Proto::Phoenix ? "phoenix" : "socketio", g_opt.clients, g_opt.rooms,
                  g_opt.rate, g_opt.duration, g_opt.inflight, g_opt.bodyBytes, g_opt.active,
                  g_opt.churners, g_opt.churnRate, g_opt.slowPercent);
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
    const bool failed = status != 0 || g_stats.connectFailures || g_stats.joinFailures
            || (g_opt.mode != Mode::Storm && g_stats.drops && g_opt.mode != Mode::SlowConsumer)
            || g_stats.pushErrors;
    if (failed || (loss > 0 && !g_opt.allowLoss))
        return 1;
    return 0;
}
