// parley-loadgen: client connections on epoll (see wsclient.h).
#include "wsclient.h"

#include "options.h"
#include "protocols.h"
#include "stats.h"
#include "tracking.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace loadgen {

std::vector<Client> g_clients;
int g_epoll = -1;
uint32_t g_rng = 0x9e3779b9;
int g_setupPending = 0;
uint64_t g_slowClosed = 0;
int64_t g_slowClosedLastNs = 0;

namespace {

char g_readBuf[1 << 16];
SSL_CTX *g_tlsContext = nullptr;

// send()/recv() or their TLS equivalents: >0 bytes, 0 end of stream, -1 with errno (EAGAIN when
// the socket or the TLS layer wants to wait).
ssize_t ioWrite(Client &c, const char *data, size_t size)
{
    if (!c.ssl)
        return send(c.fd, data, size, MSG_NOSIGNAL);
    const int n = SSL_write(c.ssl, data, int(std::min<size_t>(size, 1 << 30)));
    if (n > 0)
        return n;
    const int error = SSL_get_error(c.ssl, n);
    errno = (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) ? EAGAIN : EPIPE;
    return -1;
}

ssize_t ioRead(Client &c, char *data, size_t size)
{
    if (!c.ssl)
        return recv(c.fd, data, size, 0);
    const int n = SSL_read(c.ssl, data, int(size));
    if (n > 0)
        return n;
    const int error = SSL_get_error(c.ssl, n);
    if (error == SSL_ERROR_ZERO_RETURN)
        return 0;
    ERR_clear_error();
    errno = (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) ? EAGAIN : ECONNRESET;
    return -1;
}

std::string hex(const unsigned char *bytes, unsigned size)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < size; ++i) {
        out.push_back(digits[bytes[i] >> 4]);
        out.push_back(digits[bytes[i] & 15]);
    }
    return out;
}

// Drives the TLS handshake; once done and the certificate is the pinned one, sends the upgrade.
void continueTlsHandshake(Client &c)
{
    const int r = SSL_do_handshake(c.ssl);
    if (r == 1) {
        X509 *certificate = SSL_get1_peer_certificate(c.ssl);
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned size = 0;
        const bool pinned = certificate && X509_digest(certificate, EVP_sha256(), digest, &size) == 1
                && hex(digest, size) == g_opt.tlsFingerprint;
        X509_free(certificate);
        if (!pinned) {
            ++g_stats.connectFailures;
            closeClient(c, false);
            return;
        }
        setInterest(c, true, false);
        sendUpgrade(c);
        return;
    }
    const int error = SSL_get_error(c.ssl, r);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        setInterest(c, true, error == SSL_ERROR_WANT_WRITE);
        return;
    }
    ERR_clear_error();
    ++g_stats.connectFailures;
    closeClient(c, false);
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
            // Only upgraded connections: a frame during the TLS handshake or before the 101
            // would be written ahead of (or into) the upgrade request.
            if (c.fd >= 0 && !c.slow && c.state != State::Connecting && c.state != State::TlsHandshake
                && c.state != State::Handshake)
                sendHeartbeat(c);
        }
    }
} g_heartbeats;

} // namespace

uint32_t rnd()
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 17;
    g_rng ^= g_rng << 5;
    return g_rng;
}

// ---- sockets and framing ------------------------------------------------------------------

void setInterest(Client &c, bool wantRead, bool wantWrite)
{
    epoll_event ev {};
    // A client that stopped reading must not hear about the peer's FIN either (it would spin).
    ev.events = (wantRead ? uint32_t(EPOLLIN | EPOLLRDHUP) : 0u) | (wantWrite ? uint32_t(EPOLLOUT) : 0u);
    ev.data.u32 = c.index;
    epoll_ctl(g_epoll, EPOLL_CTL_MOD, c.fd, &ev);
}

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
    if (c.slow) {
        ++g_slowClosed;
        g_slowClosedLastNs = nowNs();
    }
    if (c.counted)
        g_deliveries.onLeft(c);
    if (isDrop && (c.state == State::Joined || c.inRoom)) {
        ++g_stats.drops;
        if (c.counted && c.state == State::Joined)
            --g_roomMembers[c.room];
    } else if (isDrop && c.state != State::Joined) {
        ++g_stats.joinFailures;
    }
    epoll_ctl(g_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
    if (c.ssl) {
        SSL_free(c.ssl); // no close_notify: the benchmark's clients just go
        c.ssl = nullptr;
    }
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
        const ssize_t n = ioWrite(c, c.out.data(), c.out.size());
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
        const ssize_t n = ioWrite(c, bytes.data(), bytes.size());
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

void onReadable(Client &c, int64_t now)
{
    while (c.fd >= 0) {
        const ssize_t n = ioRead(c, g_readBuf, sizeof g_readBuf);
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
        // A short read means the kernel is drained; over TLS a read returns one record at most,
        // so read on until the TLS layer wants to wait.
        if (size_t(n) < sizeof g_readBuf && !c.ssl)
            return;
    }
}

// ---- TLS ----------------------------------------------------------------------------------

bool initTls()
{
    g_tlsContext = SSL_CTX_new(TLS_client_method());
    if (!g_tlsContext) {
        std::fprintf(stderr, "parley-loadgen: OpenSSL has no TLS client context\n");
        return false;
    }
    SSL_CTX_set_min_proto_version(g_tlsContext, TLS1_2_VERSION);
    // The hub's certificate is self-signed: it is checked by fingerprint after the handshake,
    // before a byte of the upgrade is sent.
    SSL_CTX_set_verify(g_tlsContext, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_mode(g_tlsContext, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return true;
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
    if (c.smallReceiveBuffer) {
        const int bytes = 4096;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
    }
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
                if (g_tlsContext) {
                    c.ssl = SSL_new(g_tlsContext);
                    SSL_set_fd(c.ssl, c.fd);
                    SSL_set_connect_state(c.ssl);
                    c.state = State::TlsHandshake;
                    continueTlsHandshake(c);
                } else {
                    sendUpgrade(c);
                }
            }
            continue;
        }
        if (c.state == State::TlsHandshake) {
            if (ev & (EPOLLERR | EPOLLHUP)) {
                ++g_stats.connectFailures;
                closeClient(c, false);
            } else {
                continueTlsHandshake(c);
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
            g_proc.tick(false);
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

} // namespace loadgen
