// parley-loadgen: client connections on epoll: state, masked WebSocket framing, the HTTP
// upgrade's reply, source address spreading and the event loop.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <time.h>
#include <vector>

typedef struct ssl_st SSL;

namespace loadgen {

inline int64_t nowNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kMs = 1'000'000;

enum class State : uint8_t { Connecting, TlsHandshake, Handshake, EioOpen, SioConnect, Ready, Joining, Joined, Closed };
enum Role : uint8_t { Member, Publisher, Active, Churner, Setup };

struct Pending
{
    uint64_t ref;
    int64_t sentNs;
};

struct Client
{
    int fd = -1;
    SSL *ssl = nullptr; // with --tls-fingerprint
    State state = State::Connecting;
    Role role = Member;
    bool slow = false;
    bool smallReceiveBuffer = false; // slow-consumer: connect with a 4 KiB receive buffer
    bool counted = false; // counts toward deliveries
    bool inRoom = false; // churner: currently joined (or joining)
    bool leaving = false;
    int room = 0;
    uint32_t index = 0;
    uint64_t nextRef = 1;
    uint64_t joinRef = 0;
    uint64_t lobbyRef = 0; // --lobby: join_ref of its hub:lobby join
    int summaryUsers = -1; // last presence_summary of its room: users (-1: none)
    bool summaryLimited = false; // ... and whether the room lists only some of them
    int64_t startNs = 0; // connect() called
    int64_t joinSentNs = 0;
    int64_t opSentNs = 0; // churner: last join/leave sent
    uint32_t ops = 0; // churner: joins and leaves sent in the measured phase
    std::string in; // bytes of an incomplete frame
    std::string frag; // fragmented message so far
    std::string out; // bytes the kernel did not take yet
    std::vector<Pending> pending; // rtt: pushes awaiting their reply, in send order
    bool settled = false; // setup finished for this client (joined, ready or failed)
    // Delivery accounting of the measured phase (tracking.h).
    bool measured = false; // counted when the measured phase began
    uint64_t seqNext = 0; // the next message number expected from the room's publisher
    uint64_t seqGaps = 0; // numbers skipped (lost)
    uint64_t seqDuplicates = 0; // numbers seen again
    uint64_t owedUntil = UINT64_MAX; // messages sent before it stopped counting
};

extern std::vector<Client> g_clients;
extern int g_epoll;
extern uint32_t g_rng;
extern int g_setupPending; // connections of the current setup batch not yet settled
extern uint64_t g_slowClosed;
extern int64_t g_slowClosedLastNs; // when the last slow client was closed by the hub

uint32_t rnd();

// ---- sockets and framing ------------------------------------------------------------------

void setInterest(Client &c, bool wantRead, bool wantWrite);
void settle(Client &c);
void closeClient(Client &c, bool isDrop);
void flush(Client &c);
void sendRaw(Client &c, std::string_view bytes);
void sendFrame(Client &c, uint8_t opcode, std::string_view payload);
void sendText(Client &c, std::string_view text);
void onReadable(Client &c, int64_t now);

// ---- TLS (--tls-fingerprint) ----------------------------------------------------------------

// Makes the client context once; false (with a message on stderr) if OpenSSL cannot.
bool initTls();

// ---- connection setup and event loop ------------------------------------------------------

// Binds to 127.0.0.(2 + sourceIndex % --sources) and connects to g_target without blocking.
bool startConnect(Client &c, int sourceIndex);
void pump(int timeoutMs);
// Connects [from, to) with at most `inflight` unfinished at once; returns false on timeout.
bool connectRange(size_t from, size_t to, int inflight, int64_t deadline);
void runFor(double seconds, const std::function<void(int64_t)> &tick);
// Waits until every expected delivery arrived or `seconds` passed.
void drainFor(double seconds, const std::function<bool()> &done);

} // namespace loadgen
