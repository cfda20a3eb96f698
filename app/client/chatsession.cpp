#include "client/chatsession.h"

#include "client/chatreplies.h"
#include "client/conversation.h"
#include "client/hubinforequest.h"
#include "client/hubtrust.h"
#include "client/logging.h"
#include "client/messagemodel.h"
#include "client/nickdirectory.h"
#include "client/phoenixchannel.h"
#include "client/presencemodel.h"
#include "client/presencesync.h"
#include "client/roomlistmodel.h"
#include "protocol/events.h"
#include "protocol/topics.h"
#include "protocol/validation.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTimer>

namespace Parley::Client {

using Protocol::LobbyTopic;

ChatSession::ChatSession(const Identity &identity, QObject *parent)
    : QObject(parent)
    , m_identity(identity)
    , m_rooms(std::make_unique<RoomListModel>())
    , m_hubPresence(std::make_unique<PresenceModel>(identity.userId()))
    , m_nicks(new NickDirectory(this))
{
    // Who is on the hub decides which nicks are shared (and get a tag); a dm row shows the
    // other user's nick as soon as the hub's presence knows it.
    m_hubPresence->setNickDirectory(m_nicks);
    PresenceModel *hub = m_hubPresence.get();
    connect(hub, &QAbstractItemModel::rowsInserted, this, [this, hub](const QModelIndex &, int first, int last) {
        for (int row = first; row <= last; ++row)
            m_nicks->set(hub->entryAt(row).userId, hub->entryAt(row).nick);
        refreshDmTitles();
    });
    connect(hub, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this, hub](const QModelIndex &, int first, int last) {
                for (int row = first; row <= last; ++row)
                    m_nicks->remove(hub->entryAt(row).userId);
            });
    connect(hub, &QAbstractItemModel::dataChanged, this,
            [this, hub](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                for (int row = topLeft.row(); row <= bottomRight.row(); ++row)
                    m_nicks->set(hub->entryAt(row).userId, hub->entryAt(row).nick);
                refreshDmTitles();
            });
    connect(m_nicks, &NickDirectory::sharedChanged, this, [this] { refreshDmTitles(); });
}

ChatSession::~ChatSession()
{
    teardownConnection();
    m_deadSocket.reset(); // not later: there may be no event loop any more
}

void ChatSession::connectToHub(const QUrl &mountUrl, const QString &hubPassword)
{
    if (m_socket)
        teardownConnection(); // topics opened while disconnected are kept and joined below
    m_mountUrl = mountUrl;
    m_hubPassword = hubPassword;
    m_everOpened = false;
    m_attemptFailed = false;
    m_probedPlain = false;
    m_refusalReason.clear();
    m_lastError.clear();

    m_socket = std::make_unique<PhoenixSocket>(mountUrl, [this] {
        // user_id, key, ts and sig: the socket signs each connect with m_identity.key.
        PhoenixSocket::Params params { { QStringLiteral("nick"), m_identity.nick } };
        if (!m_identity.device.isEmpty())
            params.insert(QStringLiteral("device"), m_identity.device);
        if (!m_hubPassword.isEmpty())
            params.insert(QStringLiteral("password"), m_hubPassword);
        return params;
    });
    m_socket->setTimings(m_timings);
    m_socket->setPinnedFingerprint(m_pinnedFingerprint);
    m_socket->setIdentity(m_identity.key);
    m_socket->setPlainHubCheck(m_plainHubCheck);
    PhoenixSocket *socket = m_socket.get();
    connect(socket, &PhoenixSocket::stateChanged, this, [this] { updateConnectionState(); });
    connect(socket, &PhoenixSocket::opened, this, [this] {
        m_everOpened = true;
        m_probedPlain = false;
        m_refusalReason.clear();
        m_closeReason.clear();
        updateConnectionState();
    });
    connect(socket, &PhoenixSocket::closed, this, [this](int, const QString &reason) {
        m_attemptFailed = true;
        m_closeReason = reason;
        updateConnectionState(/*reasonChanged=*/true);
    });
    connect(socket, &PhoenixSocket::errorOccurred, this, [this](const QString &message) {
        m_lastError = message;
        // Something answers there, but not with TLS (a plain hub resets or closes on a
        // ClientHello, or the handshake fails): it may be a hub without encryption.
        const QAbstractSocket::SocketError error
            = m_socket ? m_socket->lastSocketError() : QAbstractSocket::UnknownSocketError;
        if (error == QAbstractSocket::SslHandshakeFailedError
            || error == QAbstractSocket::RemoteHostClosedError)
            checkWhetherPlain();
        if (!m_everOpened) {
            m_attemptFailed = true; // says "can't reach" from the first failure on
            updateConnectionState(/*reasonChanged=*/true);
        }
    });
    connect(socket, &PhoenixSocket::refused, this, [this](const QString &reason) {
        m_refusalReason = reason;
        updateConnectionState();
    });
    connect(socket, &PhoenixSocket::reconnectScheduled, this, [this] { updateConnectionState(); });
    connect(socket, &PhoenixSocket::certificateRejected, this,
            [this](const QString &presented, const QString &pinned) {
                m_refusalReason = Protocol::Reason::UntrustedCertificate;
                updateConnectionState();
                emit certificateRejected(presented, pinned);
            });

    joinLobby();
    for (Conversation *conversation : std::as_const(m_conversations))
        conversation->join(socket, m_timings.offlineChangeTimeoutMs);
    setConnectionState(ConnectionState::Connecting);
    socket->connect();
}

void ChatSession::trustCertificate(const QString &fingerprint)
{
    m_pinnedFingerprint = fingerprint;
    if (!m_socket)
        return;
    m_socket->setPinnedFingerprint(fingerprint);
    m_refusalReason.clear();
    m_socket->connect();
    updateConnectionState();
}

QString ChatSession::trustKey() const
{
    return m_socket ? m_socket->binding() : trustKeyOf(m_mountUrl, m_pinnedFingerprint, {});
}

void ChatSession::checkWhetherPlain()
{
    // Once until the next open: a hub that is encrypted answers the plain question with
    // nothing, and reconnects go on as usual.
    if (m_mountUrl.scheme() != QLatin1String("wss") || m_plainProbe || m_probedPlain
        || !m_refusalReason.isEmpty())
        return;
    m_probedPlain = true;
    QUrl plain = m_mountUrl;
    plain.setScheme(QStringLiteral("ws"));
    m_plainProbe = new HubInfoRequest(plain, m_timings.pushTimeoutMs, this);
    connect(m_plainProbe, &HubInfoRequest::answered, this, [this](const Protocol::HubInfo &info) {
        m_plainProbe->deleteLater();
        if (info.isTls() || !m_socket)
            return; // it is encrypted: the handshake failed for another reason
        // Never fall back to plain ws:// by ourselves: the user decides (docs/protocol.md,
        // "No downgrade, no borrowed trust").
        qCInfo(lcClient) << "the hub at" << m_mountUrl.toString() << "is not encrypted";
        m_socket->disconnect();
        m_refusalReason = Protocol::Reason::NotEncrypted;
        updateConnectionState(/*reasonChanged=*/true);
    });
    connect(m_plainProbe, &HubInfoRequest::failed, this, [this] { m_plainProbe->deleteLater(); });
    m_plainProbe->start();
}

void ChatSession::disconnectFromHub()
{
    teardownConnection();
    setConnectionState(ConnectionState::Disconnected);
}

void ChatSession::reconnectNow()
{
    if (m_socket && !m_socket->isConnected()) {
        m_refusalReason.clear();
        m_probedPlain = false;
        m_socket->connect();
        updateConnectionState();
    }
}

void ChatSession::teardownConnection()
{
    const QStringList topics = m_conversations.keys();
    for (const QString &topic : topics)
        closeTopic(topic);
    m_lobbySync.reset();
    m_lobby = nullptr;
    detachSocket();
    m_hubPresence->clear();
    const QList<RoomEntry> entries = m_rooms->entries();
    for (const RoomEntry &entry : entries)
        m_rooms->remove(entry.topic);
}

// Closes the socket and lets it go later: this may run inside one of its signals.
void ChatSession::detachSocket()
{
    if (!m_socket)
        return;
    const QList<PhoenixChannel *> channels = m_socket->channels();
    for (PhoenixChannel *channel : channels)
        channel->QObject::disconnect(this);
    m_socket->QObject::disconnect(this);
    m_socket->disconnect();
    m_deadSocket = std::move(m_socket);
    // Deleted from the event loop (we may be inside one of its signals), or by the next detach.
    QTimer::singleShot(0, this, [this, socket = m_deadSocket.get()] {
        if (m_deadSocket.get() == socket)
            m_deadSocket.reset();
    });
}

int ChatSession::reconnectInMs() const
{
    return m_socket ? m_socket->nextReconnectIn() : -1;
}

void ChatSession::setConnectionState(ConnectionState state)
{
    if (m_state == state)
        return;
    m_state = state;
    // Lost after being connected: what the models show is the last known, not the present.
    const bool lost = m_everOpened
        && (state == ConnectionState::Reconnecting || state == ConnectionState::Refused);
    const qint64 since = lost ? QDateTime::currentMSecsSinceEpoch() : 0;
    if (lost || state == ConnectionState::Connected || state == ConnectionState::Disconnected) {
        m_hubPresence->setOfflineSince(since);
        for (Conversation *conversation : std::as_const(m_conversations))
            conversation->presence()->setOfflineSince(since);
    }
    emit connectionStateChanged(state);
}

void ChatSession::updateConnectionState(bool reasonChanged)
{
    const ConnectionState before = m_state;
    applyConnectionState();
    // The same state with a new reason (the hub's close reason, the first transport error) is
    // news too: the banner words it. Said once, never twice.
    if (reasonChanged && m_state == before)
        emit connectionStateChanged(m_state);
}

void ChatSession::applyConnectionState()
{
    if (!m_socket) {
        setConnectionState(ConnectionState::Disconnected);
    } else if (m_socket->isConnected()) {
        setConnectionState(ConnectionState::Connected);
    } else if (!m_refusalReason.isEmpty() && m_socket->nextReconnectIn() < 0
               && m_socket->state() == PhoenixSocket::State::Closed) {
        setConnectionState(ConnectionState::Refused);
    } else if (!m_everOpened && !m_attemptFailed) {
        setConnectionState(ConnectionState::Connecting);
    } else {
        setConnectionState(ConnectionState::Reconnecting);
    }
}

// hub:lobby ---------------------------------------------------------------------------------

void ChatSession::joinLobby()
{
    m_lobby = m_socket->channel(LobbyTopic, [this] {
        return QJsonObject { { QStringLiteral("status"), m_status } };
    });
    m_lobbySync = std::make_unique<PresenceSync>(m_lobby);
    m_hubPresence->bindTo(m_lobbySync.get());
    connect(m_lobby, &PhoenixChannel::joined, this, &ChatSession::onLobbyJoined);
    connect(m_lobby, &PhoenixChannel::messageReceived, this, &ChatSession::onLobbyMessage);
    connect(m_lobby, &PhoenixChannel::joinFailed, this, [this](const QJsonObject &response) {
        if (reasonOf({}, response) == Protocol::Reason::RateLimited) {
            // Joined too often lately: the hub says when to come back; the channel does.
            const int waitMs = response.value(QLatin1String("retry_after_ms")).toInt(1000);
            return m_lobby->rejoinIn(std::clamp(waitMs, 50, 60'000));
        }
        emit errorOccurred(tr("The hub refused the lobby: %1").arg(reasonOf({}, response)));
    });
    m_lobby->join();
}

void ChatSession::onLobbyJoined(const QJsonObject &response)
{
    // A new join: its presence_state (and presence_summary, if the hub is bounded) follow.
    m_hubPresence->applySummary({});
    const QJsonObject hub = response.value(QLatin1String("hub")).toObject();
    const QString id = hub.value(QLatin1String("id")).toString();
    const QString name = hub.value(QLatin1String("name")).toString();
    const QString version = hub.value(QLatin1String("version")).toString();
    const bool changed = id != m_hubId || name != m_hubName || version != m_hubVersion;
    m_hubId = id;
    m_hubName = name;
    m_hubVersion = version;
    // The rooms first: whoever reopens rooms on hubInfoChanged must know which are locked.
    onLobbyMessage(Protocol::Event::RoomsChanged, response);
    if (changed)
        emit hubInfoChanged();
}

void ChatSession::onLobbyMessage(const QString &event, const QJsonObject &payload)
{
    if (event == Protocol::Event::DirectMessage) {
        onDirectMessage(payload);
        return;
    }
    if (event == Protocol::Event::PresenceSummary) {
        m_hubPresence->applySummary(payload);
        return;
    }
    if (event != Protocol::Event::RoomsChanged)
        return;
    QList<RoomEntry> rooms;
    const QJsonArray list = payload.value(QLatin1String("rooms")).toArray();
    for (const QJsonValue &value : list) {
        RoomEntry entry = RoomEntry::fromJson(value.toObject());
        if (!entry.name.isEmpty())
            rooms.append(entry);
    }
    m_rooms->setRooms(rooms);
    for (const Conversation *conversation : std::as_const(m_conversations))
        m_rooms->setJoined(conversation->topic(), conversation->isJoined());
}

void ChatSession::onDirectMessage(const QJsonObject &payload)
{
    // Someone wrote in a dm this session has not opened: open it (its join brings the history)
    // and tell the UI, which counts it as unread and may notify.
    const QString topic = payload.value(QLatin1String("topic")).toString();
    const ChatMessage message = ChatMessage::fromJson(payload.value(QLatin1String("message")).toObject(), topic);
    const std::optional<Protocol::Topic> dm = Protocol::parseTopic(topic);
    if (!dm || dm->kind != Protocol::Topic::Dm || !dm->isMember(m_identity.userId())
        || !message.isValid() || isOpen(topic))
        return;
    openTopic(topic);
    if (message.userId == m_identity.userId())
        return; // written from another device of ours
    if (topic != m_currentTopic)
        m_rooms->incrementUnread(topic, 1, true); // a direct message is for us
    emit messageArrived(topic, message);
}

void ChatSession::setStatus(const QString &status)
{
    if (!Protocol::isValidStatus(status)) {
        emit errorOccurred(tr("Unknown status: %1").arg(status));
        return;
    }
    if (status == m_status)
        return;
    m_status = status; // also the lobby's join params from now on
    if (m_lobby && m_lobby->isJoined()) {
        m_lobby->push(
            Protocol::Event::SetStatus, { { QStringLiteral("status"), status } }, this,
            [this](const QString &replyStatus, const QJsonObject &response) {
                if (replyStatus != QLatin1String("ok"))
                    emit errorOccurred(
                        tr("Could not set the status: %1").arg(reasonOf(replyStatus, response)));
            });
    }
}

void ChatSession::createRoom(const QString &name, const QString &title, const QString &password)
{
    if (!m_lobby) {
        emit roomCreateFailed(QStringLiteral("not_connected"), -1);
        return;
    }
    QJsonObject payload { { QStringLiteral("name"), name } };
    if (!title.isEmpty())
        payload.insert(QStringLiteral("title"), title);
    if (!password.isEmpty())
        payload.insert(QStringLiteral("password"), password);
    m_lobby->push(Protocol::Event::CreateRoom, payload, this,
                  [this, name](const QString &status, const QJsonObject &response) {
                      if (status != QLatin1String("ok")) {
                          emit roomCreateFailed(
                              reasonOf(status, response),
                              response.value(QLatin1String("retry_after_ms")).toInt(-1));
                          return;
                      }
                      const RoomEntry entry
                          = RoomEntry::fromJson(response.value(QLatin1String("room")).toObject());
                      if (!entry.name.isEmpty())
                          m_rooms->upsert(entry);
                      emit roomCreated(entry.name.isEmpty() ? name : entry.name);
                  });
}

// Direct conversations ----------------------------------------------------------------------

QString ChatSession::dmTopicWith(const QString &otherUserId) const
{
    return Protocol::dmTopic(m_identity.userId(), otherUserId);
}

QString ChatSession::otherUserOfDm(const QString &topic) const
{
    const std::optional<Protocol::Topic> dm = Protocol::parseTopic(topic);
    if (!dm || dm->kind != Protocol::Topic::Dm)
        return {};
    return dm->userA == m_identity.userId() ? dm->userB : dm->userA;
}

QString ChatSession::displayName(const QString &userId, const QString &nick) const
{
    return m_nicks->displayName(userId, nick);
}

void ChatSession::ensureDmRow(const QString &topic)
{
    RoomEntry entry;
    entry.topic = topic;
    entry.isDm = true;
    entry.name = otherUserOfDm(topic);
    const QString nick = m_hubPresence->nickOf(entry.name);
    entry.title = nick.isEmpty() ? QString() : m_nicks->displayName(entry.name, nick);
    if (entry.title.isEmpty())
        entry.title = m_rooms->rowOfTopic(topic) >= 0 ? m_rooms->entry(topic).title : entry.name;
    m_rooms->upsert(entry);
}

void ChatSession::refreshDmTitles()
{
    const QList<RoomEntry> entries = m_rooms->entries();
    for (const RoomEntry &entry : entries) {
        if (!entry.isDm)
            continue;
        const QString nick = m_hubPresence->nickOf(entry.name);
        const QString title = nick.isEmpty() ? nick : m_nicks->displayName(entry.name, nick);
        if (!title.isEmpty() && title != entry.title)
            m_rooms->setTitle(entry.topic, title);
    }
}

} // namespace Parley::Client
