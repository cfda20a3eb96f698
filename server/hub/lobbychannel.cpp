#include "hub/lobbychannel.h"

#include "hub/connection.h"
#include "hub/hubsettings.h"
#include "hub/peerlimits.h"
#include "hub/presenceservice.h"
#include "hub/pubsub.h"
#include "hub/roomdirectory.h"
#include "protocol/events.h"
#include "protocol/validation.h"

#include <QDateTime>
#include <QJsonArray>
#include <QPointer>

namespace Parley::Hub {

using namespace Parley::Protocol;

LobbyChannel::LobbyChannel(const ChannelContext &context, QObject *parent)
    : QObject(parent), m_context(context)
{
    m_roomsTimer.setSingleShot(true);
    connect(&m_roomsTimer, &QTimer::timeout, this, &LobbyChannel::sendRoomsChanged);
    connect(&m_context.presence, &PresenceService::roomMembersChanged, this,
            [this] { markRoomsChanged(true); });
}

Channel::JoinResult LobbyChannel::join(Connection *connection, const Topic &, const QString &,
                                       const QJsonObject &params)
{
    if (params.contains(QLatin1String("status"))) {
        const QString status = params.value(QLatin1String("status")).toString();
        if (!isValidStatus(status))
            return { false, errorResponse(Reason::InvalidStatus) };
        connection->setStatus(status);
    }
    const QJsonObject hub { { QLatin1String("id"), m_context.hubId },
                            { QLatin1String("name"), m_context.settings.name },
                            { QLatin1String("version"), QStringLiteral(PARLEY_VERSION) },
                            { QLatin1String("locked"), !m_context.settings.password.isEmpty() } };
    const QJsonObject you { { QLatin1String("user_id"), connection->userId() },
                            { QLatin1String("nick"), connection->nick() } };
    return { true,
             { { QLatin1String("hub"), hub },
               { QLatin1String("you"), you },
               { QLatin1String("rooms"), roomsJson() } } };
}

void LobbyChannel::handleIn(Connection *connection, const Message &message)
{
    if (message.event == Event::CreateRoom)
        createRoom(connection, message);
    else if (message.event == Event::SetStatus)
        setStatus(connection, message);
    else
        connection->replyError(message, Reason::UnknownEvent, message.event);
}

QJsonArray LobbyChannel::roomsJson() const
{
    QJsonArray rooms;
    for (const RoomRecord &room : m_context.rooms.rooms())
        rooms.append(roomJson(room));
    return rooms;
}

QJsonObject LobbyChannel::roomJson(const RoomRecord &room) const
{
    return { { QLatin1String("name"), room.name },
             { QLatin1String("title"), room.title },
             { QLatin1String("members"), m_context.presence.keyCount(roomTopic(room.name)) },
             { QLatin1String("locked"), room.isLocked() },
             { QLatin1String("last_id"), m_context.store.lastId(room.name) } };
}

void LobbyChannel::createRoom(Connection *connection, const Message &message)
{
    if (!message.payload.isObject())
        return connection->replyError(message, Reason::InvalidPayload);
    const QJsonObject payload = message.payloadObject();
    const QJsonValue name = payload.value(QLatin1String("name"));
    const QJsonValue title = payload.value(QLatin1String("title"));
    const QJsonValue password = payload.value(QLatin1String("password"));
    if (!name.isString() || !isValidRoomName(name.toString()))
        return connection->replyError(message, Reason::InvalidName,
                                      QStringLiteral("1-40 of a-z 0-9 _ -, starting with a letter or digit"));
    if (!(title.isUndefined() || title.isNull() || title.isString())
        || title.toString().trimmed().size() > 80 || hasControlCharacters(title.toString()))
        return connection->replyError(message, Reason::InvalidPayload,
                                      QStringLiteral("title: up to 80 characters"));
    if (!(password.isUndefined() || password.isNull() || password.isString())
        || password.toString().size() > 128)
        return connection->replyError(message, Reason::InvalidPayload,
                                      QStringLiteral("password: up to 128 characters"));
    if (m_context.rooms.isTaken(name.toString()))
        return connection->replyError(message, Reason::Exists);
    if (m_context.rooms.countWithPending() >= m_context.settings.maxRooms)
        return connection->replyError(message, Reason::TooManyRooms);
    // Anyone can make keys, so a user's share is bounded twice: per user (what it owns, and
    // what it made this hour, from stored creation times) and per address.
    const QString owner = connection->userId();
    const int maxOwned = m_context.settings.maxRoomsPerUser;
    if (maxOwned > 0 && m_context.rooms.ownedBy(owner) >= maxOwned)
        return connection->replyError(
            message, Reason::TooManyRooms,
            QStringLiteral("you made %1 rooms, the most one person may").arg(maxOwned));
    const qint64 hour = 3'600'000;
    const qint64 wallNow = QDateTime::currentMSecsSinceEpoch();
    const QList<qint64> thisHour = m_context.rooms.createdBy(owner, wallNow - hour);
    if (m_context.settings.roomsPerHour > 0 && thisHour.size() >= m_context.settings.roomsPerHour) {
        const qint64 wait = std::max<qint64>(1, thisHour.constFirst() + hour - wallNow);
        return connection->replyRateLimited(message, wait, QStringLiteral("too many new rooms"));
    }
    const QHostAddress address = connection->peerAddress();
    if (m_context.settings.roomsPerHour > 0) {
        if (const qint64 wait = m_context.peers.startRoom(address, m_context.nowMs()); wait > 0)
            return connection->replyRateLimited(message, wait,
                                                QStringLiteral("too many new rooms"));
    }
    QPointer<Connection> guard(connection);
    m_context.rooms.createLater(
        name.toString(), title.toString().trimmed(), password.toString(), owner, this,
        [this, guard, message, address](const std::optional<RoomRecord> &room,
                                        const QString &error) {
            if (!room)
                m_context.peers.roomNotMade(address, m_context.nowMs());
            else
                markRoomsChanged(false); // whether or not its maker is still here
            if (!guard || guard->isClosing())
                return;
            if (!room)
                return guard->replyError(message, Reason::StorageError, error);
            guard->reply(message, QStringLiteral("ok"),
                         { { QLatin1String("room"), roomJson(*room) } });
        });
}

void LobbyChannel::setStatus(Connection *connection, const Message &message)
{
    const QString status = message.payloadObject().value(QLatin1String("status")).toString();
    if (!isValidStatus(status))
        return connection->replyError(message, Reason::InvalidStatus);
    connection->reply(message, QStringLiteral("ok"));
    if (status == connection->status())
        return;
    connection->setStatus(status);
    m_context.presence.touch(LobbyTopic, *connection);
    // One presence update in every topic the connection has joined.
    for (const QString &topic : connection->joinedTopics())
        m_context.presence.update(*connection, topic, [&status](QJsonObject &meta) {
            meta.insert(QLatin1String("status"), status);
        });
}

void LobbyChannel::markRoomsChanged(bool countsOnly)
{
    // Every lobby subscriber gets the whole list, so a broadcast costs subscribers x rooms. A
    // new room goes out within the interval; member counts in a big hub wait longer (once per
    // interval per 200 connections), or a join storm would be mostly room lists.
    const int base = m_context.settings.roomsChangedIntervalMs;
    const qint64 interval = countsOnly
        ? std::max<qint64>(base,
                           qint64(base) * m_context.pubSub.subscriberCount(LobbyTopic)
                               / std::max(1, m_context.settings.roomsChangedConnectionsPerInterval))
        : base;
    const qint64 since = m_sinceRoomsChanged.isValid() ? m_sinceRoomsChanged.elapsed() : interval;
    const int due = int(std::max<qint64>(0, interval - since));
    if (m_roomsTimer.isActive() && m_roomsTimer.remainingTime() <= due)
        return;
    m_roomsTimer.start(due);
}

void LobbyChannel::sendRoomsChanged()
{
    m_sinceRoomsChanged.start();
    m_context.pubSub.broadcast(LobbyTopic, Event::RoomsChanged,
                              { { QLatin1String("rooms"), roomsJson() } });
}

} // namespace Parley::Hub
