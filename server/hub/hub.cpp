#include "hub/hub.h"

#include "hub/beacon.h"
#include "hub/channelcontext.h"
#include "hub/connection.h"
#include "hub/epollacceptor.h"
#include "hub/lobbychannel.h"
#include "hub/logging.h"
#include "hub/memoryhistorystore.h"
#include "hub/passwordhash.h"
#include "hub/presenceservice.h"
#include "hub/qtwebsocketacceptor.h"
#include "hub/roomchannel.h"
#include "hub/roomdirectory.h"
#include "hub/sqlitehistorystore.h"
#include "hub/storequeue.h"
#include "hub/tlsconfig.h"
#include "hub/transport.h"
#include "hub/writebatch.h"
#include "protocol/codec.h"
#include "protocol/events.h"
#include "protocol/hubinfo.h"
#include "protocol/identity.h"
#include "protocol/privatefiles.h"
#include "protocol/topics.h"
#include "protocol/validation.h"

#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QPointer>
#include <QThread>
#include <QUuid>

namespace Parley::Hub {

using namespace Parley::Protocol;

Hub::Hub(HubSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_peers(m_settings)
    , m_verifier(m_settings.replayCacheEntries)
{
    m_clock.start();
    m_presence = new PresenceService(
        m_pubSub, m_settings.presenceWindowMs,
        { m_settings.lobbyPresenceLimit, m_settings.roomPresenceLimit, m_settings.presenceListed },
        this);
    m_writeBatch = new WriteBatch(this);
    m_verifyPool.setMaxThreadCount(std::max(1, QThread::idealThreadCount()));
    m_sweepTimer = new QTimer(this);
    m_sweepTimer->setInterval(std::clamp(m_settings.idleTimeoutMs / 4, 50, 1000));
    connect(m_sweepTimer, &QTimer::timeout, this, &Hub::sweep);
}

Hub::~Hub()
{
    m_storeQueue.reset(); // the writes under way commit; their completions are dropped
    m_verifyPool.waitForDone(); // no verification may call back into a deleted hub
    m_rooms.reset(); // waits for a password check under way, for the same reason
    // Connections reference the channels and the store: delete them first.
    qDeleteAll(m_connections.all());
}

bool Hub::start(QString *error)
{
    if (m_settings.dataDir.isEmpty()) {
        m_store = std::make_unique<MemoryHistoryStore>();
        m_storeQueue = std::make_unique<StoreQueue>(*m_store);
    } else {
        if (!PrivateFiles::ensureFolder(m_settings.dataDir, error)) // 0700: it holds DMs
            return false;
        auto store = std::make_unique<SqliteHistoryStore>(QDir(m_settings.dataDir).filePath(QStringLiteral("hub.sqlite3")));
        if (!store->open(error))
            return false;
        m_storeQueue = std::make_unique<StoreQueue>(store->path());
        if (!m_storeQueue->start(error))
            return false;
        m_store = std::move(store);
    }
    m_hubId = m_store->meta(QStringLiteral("hub_id"));
    if (m_hubId.isEmpty()) {
        m_hubId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        if (!m_store->setMeta(QStringLiteral("hub_id"), m_hubId, error))
            return false;
    }
    AcceptorSettings acceptorSettings;
    acceptorSettings.listenBacklog = m_settings.listenBacklog;
    acceptorSettings.handshakeTimeoutMs = m_settings.handshakeTimeoutMs;
    acceptorSettings.maxPendingPerAddress = m_settings.maxHandshakesPerAddress;
    acceptorSettings.maxMessageBytes = m_settings.maxFrameBytes;
    acceptorSettings.socketSendBufferBytes = m_settings.socketSendBufferBytes;
    acceptorSettings.allowedOrigins = m_settings.allowedOrigins;
    if (!Tls::configure(m_settings, &acceptorSettings.tls, error))
        return false;
    if (acceptorSettings.tls)
        m_fingerprint = Tls::fingerprintOf(*acceptorSettings.tls);
    // What a connect must be signed for here (docs/protocol.md, "Identity"): this hub's own
    // certificate, or its id on plain ws://. A connect signed for any other hub is refused.
    m_binding = m_fingerprint.isEmpty() ? Identity::hubIdBinding(m_hubId)
                                        : Identity::fingerprintBinding(m_fingerprint);
    acceptorSettings.hubInfo = HubInfo { m_hubId, m_settings.name, m_fingerprint }.toJson();
    m_rooms = std::make_unique<RoomDirectory>(m_store.get());
    if (!m_rooms->load(error))
        return false;
    const ChannelContext context { m_settings, m_hubId,     *m_store,      *m_storeQueue, *m_rooms,
                                   m_pubSub,   *m_presence, m_connections, m_peers,       m_clock };
    m_lobby = new LobbyChannel(context, this);
    m_roomChannel = new RoomChannel(context, this);

    if (m_settings.transport == HubSettings::Transport::Epoll)
        m_acceptor = new EpollAcceptor(std::move(acceptorSettings), m_writeBatch, this);
    else
        m_acceptor = new QtWebSocketAcceptor(std::move(acceptorSettings), m_writeBatch, this);
    m_acceptor->setFullCheck([this] {
        // Past the hard cap nobody even gets a handshake: the descriptor count stays bounded.
        return m_shuttingDown
                || m_connections.size() + m_acceptor->pendingCount()
                >= qsizetype(m_settings.maxConnections) + 256;
    });
    connect(m_acceptor, &Acceptor::connected, this, &Hub::onConnected);
    if (!m_acceptor->listen(m_settings.bindAddress, m_settings.port, error))
        return false;
    m_sweepTimer->start();
    if (m_settings.discovery != DiscoveryMode::Off) {
        m_beacon = new Beacon(m_settings.discovery, [this] {
            return BeaconInfo { m_hubId, m_settings.name, port(), m_rooms->count(),
                                m_presence->keyCount(LobbyTopic), !m_settings.password.isEmpty(),
                                m_fingerprint };
        }, this);
        m_beacon->setPort(m_settings.discoveryPort);
        QString why;
        if (!m_beacon->start(&why)) // the hub works without it: people can still type host:port
            qCWarning(lcHub) << "LAN announcements are off:" << why;
    }
    qCInfo(lcHub) << "hub" << m_hubId << "listening on port" << port();
    return true;
}

quint16 Hub::port() const
{
    return m_acceptor ? m_acceptor->port() : 0;
}

void Hub::shutdown(quint16 code, int graceMs)
{
    m_shuttingDown = true;
    if (m_acceptor)
        m_acceptor->close();
    if (m_beacon)
        m_beacon->stop();
    const QList<Connection *> connections = m_connections.all();
    for (Connection *connection : connections)
        connection->close(code, Reason::ShuttingDown);
    if (m_connections.isEmpty() || graceMs <= 0)
        return;
    QEventLoop loop;
    QTimer::singleShot(graceMs, &loop, &QEventLoop::quit);
    connect(this, &Hub::connectionCountChanged, &loop, [&loop](int count) {
        if (count == 0)
            loop.quit();
    });
    loop.exec();
}

void Hub::onConnected(Transport *ws, const UpgradeRequest &request)
{
    auto *connection = new Connection(m_nextConnectionId++, ws, this);
    connection->setConnectedAtMs(nowMs());
    connection->setMaxOutgoingBytes(m_settings.maxOutgoingBytes);
    connection->rateLimiter().setRate(m_settings.maxRate);
    const double outputRate = double(m_settings.joinBytesPerSecond);
    connection->outputBudget().configure(outputRate * PeerLimits::burstSeconds, outputRate);
    m_connections.add(connection->id(), connection);
    // Counted from the upgrade on (an upgraded connection holds its memory whether or not its
    // connect is accepted); an address over its share is told so.
    const bool tooMany = !m_peers.mayOpen(connection->peerAddress());
    m_peers.opened(connection->peerAddress());

    connect(ws, &Transport::textReceived, connection,
            [this, connection](const QByteArray &frame) { onText(connection, frame); });
    connect(ws, &Transport::activity, connection, [this, connection] { connection->touch(nowMs()); });
    // Queued: a socket can report its end from inside a write during a broadcast.
    connect(ws, &Transport::disconnected, connection, [this, connection] { drop(connection); },
            Qt::QueuedConnection);
    connect(connection, &Connection::overflowed, connection, [connection] {
        // Queued: the turn's writes may have gone out meanwhile. A reader that took them is
        // not slow; one that left its queue over the cap is.
        if (!connection->isOverCap())
            return connection->clearOverflow();
        qCInfo(lcHub).nospace().noquote() << "closing a slow consumer: " << connection->peerAddress().toString()
                                << " user " << connection->userId() << ", "
                                << connection->queuedBytes() << " bytes queued";
        connection->close(CloseCode::Policy, Reason::SlowConsumer);
    }, Qt::QueuedConnection);
    connect(connection, &Connection::closing, this, [this, connection](quint16 code, const QString &reason) {
        emit connectionClosing(connection->userId(), code, reason);
    });
    emit connectionCountChanged(connectionCount());
    if (tooMany) {
        qCInfo(lcHub).noquote() << "refused a connection from"
                                << connection->peerAddress().toString() << "which has"
                                << m_peers.openConnections(connection->peerAddress()) - 1 << "open";
        return connection->close(CloseCode::Policy, Reason::TooManyConnections);
    }
    checkConnect(connection, request);
}

void Hub::checkConnect(Connection *connection, const UpgradeRequest &request)
{
    const QUrlQuery &query = request.query;
    const auto param = [&query](const char *name) {
        return query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
    };
    if (!param("vsn").startsWith(QLatin1String("2.")))
        return connection->close(CloseCode::Policy, Reason::BadVsn);
    const std::optional<QString> nick = normalizedNick(param("nick"));
    const QString device = param("device");
    if (!nick || device.size() > maxDeviceLength || hasControlCharacters(device))
        return connection->close(CloseCode::Policy, Reason::BadParams);
    // The user is whoever holds the key: the user_id is derived from it and the signature,
    // over this hub's own binding (never the request's Host header), proves it
    // (docs/protocol.md, "Identity"). The signature check (~0.1 ms) runs on m_verifyPool;
    // frames that arrive meanwhile wait in the connection and are handled once it is accepted.
    const ConnectVerifier::Params params { m_binding, param("key"), param("ts"), param("sig"),
                                           param("user_id") };
    ConnectRequest connect { *nick, device.isEmpty() ? QStringLiteral("unknown") : device, param("password") };
    connection->setVerifying(true);
    QPointer<Connection> guard(connection);
    m_verifyPool.start([this, guard, params, connect = std::move(connect)] {
        const ConnectVerifier::Result verified
                = ConnectVerifier::verify(params, QDateTime::currentMSecsSinceEpoch());
        QMetaObject::invokeMethod(this, [this, guard, verified, connect] {
            if (guard && !guard->isClosing())
                finishConnect(guard, verified, connect);
        }, Qt::QueuedConnection);
    });
}

void Hub::finishConnect(Connection *connection, ConnectVerifier::Result verified,
                        const ConnectRequest &request)
{
    verified = m_verifier.admit(std::move(verified), QDateTime::currentMSecsSinceEpoch());
    if (verified.outcome != ConnectVerifier::Outcome::Accepted) {
        qCInfo(lcHub).noquote() << "refused connect from" << connection->peerAddress().toString()
                                << verified.reason;
        return connection->close(CloseCode::Policy, verified.reason);
    }
    const QString userId = verified.userId;
    if (!m_settings.password.isEmpty()) {
        // A guess, whatever it holds: over the address's rate it is refused at once, with when
        // to come back. A refused one burns its signed connect, so each guess costs a signature.
        const QHostAddress address = connection->peerAddress();
        if (const qint64 wait = m_peers.startGuess(address, nowMs()); wait > 0)
            return connection->close(CloseCode::Policy,
                                     Reason::RateLimitedFor + QString::number(wait));
        const bool right = PasswordHash::constantTimeEquals(request.password.toUtf8(),
                                                            m_settings.password.toUtf8());
        m_peers.guessEnded(address, right, nowMs());
        if (!right) {
            m_verifier.accept(verified, QDateTime::currentMSecsSinceEpoch());
            qCInfo(lcHub).noquote() << "wrong hub password from" << address.toString();
            return connection->close(CloseCode::Policy, Reason::Unauthorized);
        }
    }
    if (m_openConnections >= m_settings.maxConnections)
        return connection->close(CloseCode::Policy, Reason::HubFull);
    m_verifier.accept(verified, QDateTime::currentMSecsSinceEpoch());
    ++m_openConnections;
    connection->authenticate(userId, request.nick, request.device);
    m_connections.authenticated(userId, connection);
    // What the client sent while it was being verified (phoenix.js joins right after open).
    const QList<QByteArray> early = connection->earlyFrames().take();
    for (const QByteArray &frame : early) {
        if (connection->isClosing())
            break;
        onText(connection, frame);
    }
}

void Hub::onText(Connection *connection, const QByteArray &frame)
{
    if (connection->isVerifying() && !connection->isClosing()) {
        // Kept for when the connect is accepted; a client that piles up more than
        // EarlyFrames::maxBytes before it is even let in is not a client.
        if (!connection->earlyFrames().keep(frame))
            connection->close(CloseCode::Policy, Reason::Flooding);
        return;
    }
    if (!connection->isAuthenticated() || connection->isClosing())
        return;
    DecodeError error;
    const std::optional<Message> message = decode(frame, &error);
    if (!message) {
        qCDebug(lcHub) << "malformed frame from" << connection->peerAddress() << error.detail;
        return connection->close(CloseCode::BadData, error.detail);
    }
    route(connection, *message);
}

void Hub::route(Connection *connection, const Message &message)
{
    const qint64 now = nowMs();
    RateLimiter &limiter = connection->rateLimiter();
    if (!limiter.tryAcquire(now)) {
        if (now - limiter.floodingSinceMs() >= m_settings.floodCloseMs)
            return connection->close(CloseCode::Policy, Reason::Flooding);
        return connection->replyRateLimited(message, limiter.retryAfterMs(now));
    }
    if (message.topic == HeartbeatTopic) {
        if (message.event == Event::Heartbeat)
            connection->reply(message, QStringLiteral("ok"));
        else
            connection->replyError(message, Reason::UnknownEvent, message.event);
        return;
    }
    if (message.event == Event::Join)
        return join(connection, message);
    if (message.event == Event::Leave)
        return leave(connection, message);
    if (!connection->hasJoined(message.topic)) {
        return connection->send(makeReply(QJsonValue::Null, message.ref, message.topic,
                                          QStringLiteral("error"), errorResponse(Reason::UnmatchedTopic)));
    }
    if (!message.joinRef.isNull() && message.joinRef != connection->joinRef(message.topic))
        return; // stale: from an earlier join of this topic
    if (message.event != Event::History)
        return channelFor(message.topic)->handleIn(connection, message);
    if (refuseForOutput(connection, message))
        return;
    const qint64 before = connection->bytesSent();
    channelFor(message.topic)->handleIn(connection, message);
    chargeOutput(connection, before);
}

bool Hub::refuseForOutput(Connection *connection, const Message &message)
{
    const qint64 now = nowMs();
    const qint64 wait = std::max(connection->outputBudget().retryAfterMs(1, now),
                                 m_peers.outputRetryAfterMs(connection->peerAddress(), now));
    if (wait <= 0)
        return false;
    connection->replyRateLimited(message, wait);
    return true;
}

void Hub::chargeOutput(Connection *connection, qint64 before)
{
    const qint64 sent = connection->bytesSent() - before;
    connection->outputBudget().spend(double(sent), nowMs());
    m_peers.outputSent(connection->peerAddress(), sent, nowMs());
}

Channel *Hub::channelFor(const QString &topic) const
{
    if (topic == LobbyTopic)
        return m_lobby;
    return m_roomChannel;
}

void Hub::join(Connection *connection, const Message &message, bool passwordChecked)
{
    const std::optional<Topic> topic = parseTopic(message.topic);
    if (!topic) {
        return connection->send(makeReply(QJsonValue::Null, message.ref, message.topic,
                                          QStringLiteral("error"), errorResponse(Reason::UnmatchedTopic)));
    }
    if (!(message.payload.isObject() || message.payload.isNull()))
        return connection->replyError(message, Reason::InvalidPayload,
                                      QStringLiteral("join params must be an object"));
    const bool duplicate = connection->hasJoined(message.topic);
    if (!duplicate && connection->channelCount() >= m_settings.maxChannels)
        return connection->replyError(message, Reason::TooManyChannels);
    if (!passwordChecked
        && (refuseForOutput(connection, message) || deferForPassword(connection, message, *topic)))
        return;
    QJsonValue oldJoinRef;
    if (duplicate) {
        // Phoenix: the old channel goes; the new join's reply comes first, then phx_close
        // with the old join_ref (which phoenix.js drops as stale).
        oldJoinRef = connection->joinRef(message.topic);
        leaveTopic(connection, message.topic);
    }
    const qint64 sentBefore = connection->bytesSent();
    Channel *channel = channelFor(message.topic);
    const Channel::JoinResult result =
            channel->join(connection, *topic, message.topic, message.payloadObject());
    if (!result.ok) {
        connection->reply(message, QStringLiteral("error"), result.response);
    } else {
        connection->setJoined(message.topic, message.joinRef);
        m_pubSub.subscribe(message.topic, connection);
        connection->reply(message, QStringLiteral("ok"), result.response);
    }
    if (duplicate)
        connection->send(Message { oldJoinRef, oldJoinRef, message.topic, Event::Close, QJsonObject() });
    if (!result.ok)
        return;

    QJsonObject meta { { QLatin1String("nick"), connection->nick() },
                       { QLatin1String("status"), connection->status() },
                       { QLatin1String("typing"), false },
                       { QLatin1String("device"), connection->device() },
                       { QLatin1String("online_at"), connection->onlineAt() } };
    const PresenceTracker::Diff diff = m_presence->track(message.topic, *connection, meta);
    connection->pushEncoded(message.topic, Event::PresenceState, m_presence->stateFor(message.topic));
    if (const std::optional<QJsonObject> summary = m_presence->summaryFor(message.topic))
        connection->push(message.topic, Event::PresenceSummary, *summary);
    m_presence->publish(message.topic, diff);
    chargeOutput(connection, sentBefore);
    channel->afterJoin(connection, message.topic);
}

bool Hub::deferForPassword(Connection *connection, const Message &message, const Topic &topic)
{
    if (topic.kind != Topic::Room)
        return false;
    const RoomRecord *room = m_rooms->find(topic.name);
    const QJsonValue password = message.payloadObject().value(QLatin1String("password"));
    if (!room || !room->isLocked() || !password.isString()
        || m_rooms->isKnownPassword(*room, password.toString()))
        return false;
    // A guess: one check at a time per connection, a few per address, and no more guesses than
    // the address's rate. Over it, refused at once: nothing waits in a queue.
    const QHostAddress address = connection->peerAddress();
    // About the time of one check: one under way is done by then.
    constexpr qint64 checkMs = 100;
    // All addresses together keep the queue short too: a right password from anyone waits for
    // a few checks at most.
    constexpr int maxChecksUnderWay = 8;
    if (connection->isCheckingPassword() || m_rooms->checksUnderWay() >= maxChecksUnderWay) {
        connection->replyRateLimited(message, checkMs);
        return true;
    }
    if (const qint64 wait = m_peers.startGuess(address, nowMs()); wait > 0) {
        connection->replyRateLimited(message, wait);
        return true;
    }
    connection->setCheckingPassword(true);
    QPointer<Connection> guard(connection);
    const RoomRecord checked = *room;
    const QString guess = password.toString();
    m_rooms->verifyPasswordLater(
        *room, guess, this, [this, guard, message, address, checked, guess] {
            const bool right = m_rooms->isKnownPassword(checked, guess);
            m_peers.guessEnded(address, right, nowMs());
            if (!guard || guard->isClosing())
                return;
            guard->setCheckingPassword(false);
            join(guard, message, true); // known now if right; refused (unauthorized) if wrong
        });
    return true;
}

void Hub::leave(Connection *connection, const Message &message)
{
    if (!connection->hasJoined(message.topic))
        return connection->reply(message, QStringLiteral("ok"));
    const QJsonValue joinRef = connection->joinRef(message.topic);
    if (!message.joinRef.isNull() && message.joinRef != joinRef)
        return; // raced a newer join: ignored, as Phoenix does
    leaveTopic(connection, message.topic);
    connection->reply(message, QStringLiteral("ok"));
    connection->send(Message { joinRef, joinRef, message.topic, Event::Close, QJsonObject() });
}

void Hub::leaveTopic(Connection *connection, const QString &topic)
{
    connection->setLeft(topic);
    m_pubSub.unsubscribe(topic, connection);
    m_presence->untrack(topic, *connection);
    channelFor(topic)->left(connection, topic);
}

void Hub::drop(Connection *connection)
{
    if (!m_connections.remove(connection->id(), connection->userId(), connection))
        return;
    for (const QString &topic : connection->joinedTopics())
        leaveTopic(connection, topic);
    if (connection->isAuthenticated())
        --m_openConnections;
    m_peers.closed(connection->peerAddress());
    connection->deleteLater();
    emit connectionCountChanged(connectionCount());
}

void Hub::sweep()
{
    // Connections reach the hub upgraded (the acceptor times out unfinished handshakes): only
    // idleness is left to check.
    const qint64 now = nowMs();
    QList<Connection *> expired;
    const QList<Connection *> connections = m_connections.all();
    for (Connection *connection : connections) {
        if (!connection->isClosing() && now - connection->lastActivityMs() > m_settings.idleTimeoutMs)
            expired.append(connection);
    }
    for (Connection *connection : expired)
        connection->close(CloseCode::GoingAway, Reason::IdleTimeout);
    m_peers.forgetIdle(now);
}

} // namespace Parley::Hub
