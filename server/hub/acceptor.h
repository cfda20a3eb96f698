#pragma once

#include "hub/transport.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>
#include <QStringList>

#include <functional>
#include <optional>

class QTcpSocket;

namespace Parley::Hub {

class Listener;
class WriteBatch;

// How the hub takes connections in, whichever transport it uses.
struct AcceptorSettings
{
    int listenBacklog = 4096;
    int handshakeTimeoutMs = 10'000;
    // Connections one address may have between the TCP accept and the end of the upgrade;
    // beyond it the next are closed at once. 0: no limit.
    int maxPendingPerAddress = 32;
    qint64 maxMessageBytes = 64 * 1024; // incoming message limit (close 1009 beyond)
    int socketSendBufferBytes = 256 * 1024; // SO_SNDBUF; 0 leaves it to the kernel
    QStringList allowedOrigins; // browser origins allowed besides the hub's own host; "*": any
    std::optional<QSslConfiguration> tls; // set: wss:// only
    // The body of GET /hub (docs/protocol.md, "Identity"): the hub's id, name, fingerprint.
    QByteArray hubInfo;
};

namespace Ws {
struct Request;
}

// The one WebSocket endpoint and the origin rule, shared by both acceptors.
namespace Upgrade {
inline constexpr QByteArrayView path = "/socket/websocket";
inline constexpr QByteArrayView hubInfoPath = "/hub";
// Requests without an Origin (native apps, Node, bots) pass; a browser's must be the host it
// addressed (as Phoenix's check_origin against its own host) or be allow-listed.
bool isOriginAllowed(const QString &origin, const QString &host, const QStringList &allowed);
} // namespace Upgrade

// Listens on the hub's own socket (our backlog; QWebSocketServer's is fixed at 50), runs the
// HTTP side of a new connection up to an accepted WebSocket upgrade on /socket/websocket —
// answering GET /hub with the hub's info and anything else with its HTTP status (404 another
// path, 400 not an upgrade or malformed, 403 a foreign origin) — and hands the hub each
// WebSocket connection as a Transport. A connection that has not finished its upgrade within the
// handshake timeout is dropped. Two implementations: QtWebSocketAcceptor (QWebSocketServer, the
// default) and EpollAcceptor (the hub's own RFC 6455 code, --transport epoll). Owned by the Hub;
// hub thread.
class Acceptor : public QObject
{
    Q_OBJECT
public:
    Acceptor(AcceptorSettings settings, WriteBatch *batch, QObject *parent = nullptr);
    ~Acceptor() override;

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const;
    // Stops listening and drops the connections still upgrading.
    void close();
    // Connections taken in but not upgraded yet (waiting for their first bytes, or upgrading).
    int pendingCount() const { return int(m_pending.size() + m_waiting.size()); }
    int pendingCount(const QHostAddress &address) const;
    // Returns true when no further connection may be taken in (the hub's hard cap).
    void setFullCheck(std::function<bool()> isFull) { m_isFull = std::move(isFull); }

signals:
    // A WebSocket connection is open; the receiver takes `transport` (reparents it).
    void connected(Parley::Hub::Transport *transport, const Parley::Hub::UpgradeRequest &request);

protected:
    const AcceptorSettings &settings() const { return m_settings; }
    WriteBatch *batch() const { return m_batch; }
    // A new socket, connected (and starting TLS when configured): begin its upgrade. The
    // acceptor owns it until finish() or drop().
    virtual void startUpgrade(QTcpSocket *socket) = 0;
    // The upgrade of `socket` is over: stop its handshake timer and forget it.
    void finish(QTcpSocket *socket);
    // Drops `socket` now (its upgrade failed or timed out).
    virtual void drop(QTcpSocket *socket);
    // What a complete request head gets: empty to go on with the WebSocket upgrade, else the
    // whole HTTP answer (GET /hub, or an error status), after which the connection closes.
    QByteArray answer(const Ws::Request &request) const;
    // Writes `response` and drops the socket once it is written.
    void respond(QTcpSocket *socket, const QByteArray &response);

private:
    void onIncoming(qintptr descriptor);
    // The first bytes of a waiting connection arrived: now it gets its socket (and TLS).
    void takeIn(qintptr descriptor, const QHostAddress &address, int remainingMs);
    void pendingEnded(const QHostAddress &address);

    AcceptorSettings m_settings;
    WriteBatch *m_batch;
    Listener *m_listener; // child
    QHash<QTcpSocket *, QHostAddress> m_pending; // upgrading, by peer address
    QHash<QObject *, qintptr>
        m_waiting; // notifiers (children) of descriptors with nothing read yet
    QHash<QHostAddress, int> m_pendingByAddress; // waiting and upgrading
    std::function<bool()> m_isFull;
};

} // namespace Parley::Hub
