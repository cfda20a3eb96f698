#pragma once

#include "hub/connectionregistry.h"
#include "hub/connectverifier.h"
#include "hub/hubsettings.h"
#include "hub/peerlimits.h"
#include "hub/pubsub.h"
#include "protocol/message.h"
#include "protocol/topics.h"

#include <QElapsedTimer>
#include <QObject>
#include <QThreadPool>
#include <QTimer>

#include <memory>

namespace Parley::Hub {

class Beacon;
class Channel;
class Connection;
class HistoryStore;
class StoreQueue;
class Acceptor;
class Transport;
struct UpgradeRequest;
class LobbyChannel;
class PresenceService;
class RoomChannel;
class RoomDirectory;
class WriteBatch;

// The Phoenix Channels hub: owns the services (store, rooms, presence, pubsub, the acceptor),
// checks connects, routes frames (heartbeat, join, leave, events) to the lobby and room
// channels, and enforces the per-connection limits of docs/protocol.md. Channels see the
// services through a ChannelContext, never the Hub. Created and used on the hub thread only
// (see HubRunner).
class Hub : public QObject
{
    Q_OBJECT
public:
    explicit Hub(HubSettings settings, QObject *parent = nullptr);
    ~Hub() override;

    // Opens the store and starts listening. False and *error on failure.
    bool start(QString *error);
    // Closes every client with `code` (1001 going away by default) and waits up to graceMs for
    // them to go. Stops listening.
    void shutdown(quint16 code, int graceMs);

    quint16 port() const;
    // The certificate's SHA-256 fingerprint (lowercase hex) when serving wss://; else empty.
    QString fingerprint() const { return m_fingerprint; }
    const HubSettings &settings() const { return m_settings; }
    QString hubId() const { return m_hubId; }
    int connectionCount() const { return int(m_connections.size()); }


signals:
    void connectionCountChanged(int count);
    // The hub is closing a connection with this close code and reason (a refused connect,
    // flooding, a slow consumer, idle, shutting down...). userId is empty before the connect
    // params were accepted.
    void connectionClosing(const QString &userId, quint16 code, const QString &reason);

private:
    // What a connect asks for, beside its identity (checked on m_verifyPool).
    struct ConnectRequest
    {
        QString nick;
        QString device;
        QString password;
    };
    void onConnected(Transport *transport, const UpgradeRequest &request);
    // The connect params (vsn, nick, device, the signed connect, the hub password): accepted or
    // closed with 1008 and the reason.
    void checkConnect(Connection *connection, const UpgradeRequest &request);
    // After the signature check: the replay check, the hub password and capacity, then the
    // connection is in (on the hub thread).
    void finishConnect(Connection *connection, ConnectVerifier::Result verified,
                       const ConnectRequest &request);
    void onText(Connection *connection, const QByteArray &frame);
    void route(Connection *connection, const Protocol::Message &message);
    void join(Connection *connection, const Protocol::Message &message, bool passwordChecked = false);
    void leave(Connection *connection, const Protocol::Message &message);
    // A join of a locked room with a password not verified yet: PBKDF2 runs on the room
    // directory's thread, then the join goes on; over the address's guesses it is refused at
    // once (rate_limited). True if the join was answered or deferred here.
    bool deferForPassword(Connection *connection, const Protocol::Message &message,
                          const Protocol::Topic &topic);
    // Joins and history pages send much for little: over the connection's or its address's
    // output budget they are refused (rate_limited, retry_after_ms). True if refused.
    bool refuseForOutput(Connection *connection, const Protocol::Message &message);
    // Counts what was sent to `connection` since it had sent `before` bytes.
    void chargeOutput(Connection *connection, qint64 before);
    // Unsubscribes, untracks presence and tells the channel; sends nothing to the connection.
    void leaveTopic(Connection *connection, const QString &topic);
    void drop(Connection *connection);
    void sweep();
    Channel *channelFor(const QString &topic) const;
    qint64 nowMs() const { return m_clock.elapsed(); }

    HubSettings m_settings;
    std::unique_ptr<HistoryStore> m_store; // reads (and rooms, meta) on the hub thread
    std::unique_ptr<StoreQueue> m_storeQueue; // message writes, on a store thread
    std::unique_ptr<RoomDirectory> m_rooms;
    PubSub m_pubSub;
    PresenceService *m_presence = nullptr; // child
    LobbyChannel *m_lobby = nullptr; // child, made by start()
    RoomChannel *m_roomChannel = nullptr; // child, made by start()
    Acceptor *m_acceptor = nullptr; // child, made by start()
    WriteBatch *m_writeBatch = nullptr; // child; corks the connections' writes per loop turn
    ConnectionRegistry m_connections; // the connections are children
    quint64 m_nextConnectionId = 1;
    int m_openConnections = 0; // accepted after the connect check
    QElapsedTimer m_clock;
    QTimer *m_sweepTimer = nullptr; // child
    Beacon *m_beacon = nullptr; // child, only when discovery is on
    QString m_hubId;
    bool m_shuttingDown = false;
    QString m_fingerprint; // of the certificate served; empty for ws://
    QString m_binding; // what connects must be signed for: the fingerprint, or the hub id
    PeerLimits m_peers; // per address: connections, password guesses, rooms, output
    ConnectVerifier m_verifier;
    QThreadPool m_verifyPool; // signature checks of connects, one thread per core
};

} // namespace Parley::Hub
