#include "hub/roomchannel.h"

#include "hub/connection.h"
#include "hub/connectionregistry.h"
#include "hub/hubsettings.h"
#include "hub/logging.h"
#include "hub/presenceservice.h"
#include "hub/pubsub.h"
#include "hub/roomdirectory.h"
#include "hub/storequeue.h"
#include "protocol/events.h"
#include "protocol/topics.h"
#include "protocol/validation.h"

#include <QDateTime>
#include <QJsonArray>

namespace Parley::Hub {

using namespace Parley::Protocol;

namespace {

constexpr int joinHistory = 50;
constexpr int catchUpLimit = 500;
constexpr qint64 maxId = (qint64(1) << 53) - 1;

QJsonArray toJson(const QList<StoredMessage> &messages)
{
    QJsonArray array;
    for (const StoredMessage &message : messages)
        array.append(message.toJson());
    return array;
}

} // namespace

RoomChannel::RoomChannel(const ChannelContext &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_publishedUpTo(context.store.maxId())
{
    m_typingTimer.setInterval(250);
    connect(&m_typingTimer, &QTimer::timeout, this, &RoomChannel::expireTyping);
}

QString RoomChannel::storeKey(const QString &topicName)
{
    return isRoomTopic(topicName) ? roomNameOf(topicName) : topicName;
}

Channel::JoinResult RoomChannel::join(Connection *connection, const Topic &topic,
                                      const QString &topicName, const QJsonObject &params)
{
    QJsonObject room;
    if (topic.kind == Topic::Room) {
        const RoomRecord *record = m_context.rooms.find(topic.name);
        if (!record)
            return { false, errorResponse(Reason::NoSuchRoom) };
        const QJsonValue password = params.value(QLatin1String("password"));
        // The hub verified the password off its thread before calling (Hub::join).
        if (record->isLocked()
            && (!password.isString() || !m_context.rooms.isKnownPassword(*record, password.toString())))
            return { false, errorResponse(Reason::Unauthorized, QStringLiteral("wrong password")) };
        room = { { QLatin1String("name"), record->name },
                 { QLatin1String("title"), record->title },
                 { QLatin1String("locked"), record->isLocked() } };
    } else {
        if (!topic.isMember(connection->userId()))
            return { false, errorResponse(Reason::Unauthorized, QStringLiteral("not a member")) };
        room = { { QLatin1String("name"), topicName },
                 { QLatin1String("title"), QString() },
                 { QLatin1String("locked"), false } };
    }

    const QString key = storeKey(topicName);
    QString error;
    std::optional<HistoryPage> page;
    const QJsonValue afterId = params.value(QLatin1String("after_id"));
    if (afterId.isUndefined() || afterId.isNull()) {
        page = m_context.store.latest(key, joinHistory, &error);
    } else {
        const std::optional<qint64> id = integerIn(afterId, 0, maxId);
        if (!id)
            return { false, errorResponse(Reason::InvalidPayload,
                                          QStringLiteral("after_id must be an integer >= 0")) };
        page = m_context.store.after(key, *id, catchUpLimit, &error);
    }
    if (!page) {
        qCWarning(lcHub) << "history for" << topicName << "failed:" << error;
        return { false, errorResponse(Reason::StorageError) };
    }
    // Committed on the store thread but not broadcast yet: the joiner gets those as new_msg
    // (it is subscribed before they are), so they are not in the reply too.
    page->messages.removeIf([this](const StoredMessage &m) { return m.id > m_publishedUpTo; });
    return { true,
             { { QLatin1String("room"), room },
               { QLatin1String("messages"), toJson(page->messages) },
               { QLatin1String("has_more"), page->hasMore } } };
}

void RoomChannel::handleIn(Connection *connection, const Message &message)
{
    if (!message.payload.isObject())
        return connection->replyError(message, Reason::InvalidPayload,
                                      QStringLiteral("payload must be an object"));
    if (message.event == Event::NewMsg)
        newMessage(connection, message);
    else if (message.event == Event::History)
        history(connection, message);
    else if (message.event == Event::Typing)
        typing(connection, message);
    else if (message.event == Event::EditMsg)
        editMessage(connection, message);
    else if (message.event == Event::DeleteMsg)
        deleteMessage(connection, message);
    else
        connection->replyError(message, Reason::UnknownEvent, message.event);
}

void RoomChannel::left(Connection *connection, const QString &topicName)
{
    m_typingUntil.remove({ connection->id(), topicName });
}

void RoomChannel::newMessage(Connection *connection, const Message &message)
{
    const QJsonObject payload = message.payloadObject();
    const std::optional<QString> body = normalizedBody(payload.value(QLatin1String("body")));
    if (!body)
        return connection->replyError(message, Reason::InvalidBody,
                                      QStringLiteral("1-4000 characters of text"));
    const QJsonValue clientId = payload.value(QLatin1String("client_id"));
    if (!(clientId.isUndefined() || clientId.isNull())
        && !(clientId.isString() && isValidClientId(clientId.toString())))
        return connection->replyError(message, Reason::InvalidPayload,
                                      QStringLiteral("client_id: 8-64 of A-Z a-z 0-9 _ -"));
    NewMessage in;
    in.room = storeKey(message.topic);
    in.userId = connection->userId();
    in.nick = connection->nick();
    in.body = *body;
    in.clientId = clientId.toString();
    in.ts = QDateTime::currentMSecsSinceEpoch();
    m_pending.append({ connection, message, in });
    // Group commit: everything that arrives in this event-loop turn shares one transaction.
    if (!m_commitScheduled) {
        m_commitScheduled = true;
        QMetaObject::invokeMethod(this, &RoomChannel::commitPending, Qt::QueuedConnection);
    }
}

void RoomChannel::commitPending()
{
    m_commitScheduled = false;
    // One transaction at a time: what arrives while one commits waits for it and goes in the
    // next, so a slow disk makes bigger groups, not a longer queue of transactions.
    if (m_committing || m_pending.isEmpty())
        return;
    QList<Pending> pending = std::exchange(m_pending, {});
    QList<NewMessage> batch;
    batch.reserve(pending.size());
    for (const Pending &p : pending)
        batch.append(p.message);
    m_committing = true;
    m_context.writes.submit(
        [this, pending = std::move(pending), batch = std::move(batch)](HistoryStore &store) {
            QString error;
            std::optional<QList<AppendResult>> results = store.append(batch, &error);
            return [this, pending, results = std::move(results), error] {
                m_committing = false;
                finishCommit(pending, results, error);
                commitPending(); // what arrived meanwhile
            };
        });
}

void RoomChannel::finishCommit(const QList<Pending> &pending,
                               const std::optional<QList<AppendResult>> &results,
                               const QString &error)
{
    if (!results || results->size() != pending.size()) {
        qCWarning(lcHub) << "storing" << pending.size() << "messages failed:" << error;
        for (const Pending &p : pending) {
            if (p.connection)
                p.connection->replyError(p.request, Reason::StorageError,
                                         QStringLiteral("the message was not stored"));
        }
        return;
    }
    for (qsizetype i = 0; i < pending.size(); ++i) {
        const Pending &p = pending[i];
        const AppendResult &result = results->at(i);
        m_publishedUpTo = std::max(m_publishedUpTo, result.message.id);
        const QByteArray json = result.message.toJsonBytes();
        if (p.connection)
            p.connection->replyOkEncoded(p.request, QLatin1StringView("message"), json);
        if (result.duplicate)
            continue;
        if (p.connection)
            noteActivity(*p.connection, p.request.topic);
        m_context.pubSub.broadcastEncoded(p.request.topic, Event::NewMsg, json);
        if (isDmTopic(p.request.topic))
            notifyDirectMessage(p.request.topic, result.message.toJson());
        if (p.connection && m_typingUntil.contains({ p.connection->id(), p.request.topic }))
            setTyping(p.connection, p.request.topic, false);
    }
}

void RoomChannel::history(Connection *connection, const Message &message)
{
    const QJsonObject payload = message.payloadObject();
    const std::optional<qint64> beforeId = integerIn(payload.value(QLatin1String("before_id")), 1, maxId);
    const QJsonValue limitValue = payload.value(QLatin1String("limit"));
    const std::optional<qint64> limit =
            limitValue.isUndefined() ? std::optional<qint64>(50) : integerIn(limitValue, 1, 100);
    if (!beforeId || !limit)
        return connection->replyError(message, Reason::InvalidPayload,
                                      QStringLiteral("before_id: integer >= 1, limit: 1-100"));
    QString error;
    std::optional<HistoryPage> page
        = m_context.store.before(storeKey(message.topic), *beforeId, int(*limit), &error);
    if (!page) {
        qCWarning(lcHub) << "history page failed:" << error;
        return connection->replyError(message, Reason::StorageError);
    }
    page->messages.removeIf([this](const StoredMessage &m) { return m.id > m_publishedUpTo; });
    connection->reply(message, QStringLiteral("ok"),
                      { { QLatin1String("messages"), toJson(page->messages) },
                        { QLatin1String("has_more"), page->hasMore } });
}

void RoomChannel::typing(Connection *connection, const Message &message)
{
    const QJsonValue typing = message.payloadObject().value(QLatin1String("typing"));
    if (!typing.isBool())
        return connection->replyError(message, Reason::InvalidPayload,
                                      QStringLiteral("typing: true or false"));
    connection->reply(message, QStringLiteral("ok"));
    if (typing.toBool())
        noteActivity(*connection, message.topic);
    setTyping(connection, message.topic, typing.toBool());
}

void RoomChannel::noteActivity(const Connection &connection, const QString &topicName)
{
    // Big rooms and hubs list their most recently active users (docs/protocol.md 6, "bounded
    // presence").
    static const QString lobby = LobbyTopic;
    m_context.presence.touch(topicName, connection);
    m_context.presence.touch(lobby, connection);
}

void RoomChannel::setTyping(Connection *connection, const QString &topicName, bool typing)
{
    const QPair<quint64, QString> key { connection->id(), topicName };
    const bool wasTyping = m_typingUntil.contains(key);
    if (typing) {
        m_typingUntil.insert(key, m_context.nowMs() + m_context.settings.typingTimeoutMs);
        if (!m_typingTimer.isActive())
            m_typingTimer.start();
    } else {
        m_typingUntil.remove(key);
    }
    if (wasTyping == typing)
        return; // the deadline moved; the presence meta is unchanged
    m_context.presence.update(*connection, topicName,
                              [typing](QJsonObject &meta) { meta.insert(QLatin1String("typing"), typing); });
}

void RoomChannel::expireTyping()
{
    const qint64 now = m_context.nowMs();
    QList<QPair<quint64, QString>> expired;
    for (auto it = m_typingUntil.cbegin(); it != m_typingUntil.cend(); ++it) {
        if (it.value() <= now)
            expired.append(it.key());
    }
    for (const auto &key : expired) {
        if (Connection *connection = m_context.connections.find(key.first))
            setTyping(connection, key.second, false);
        else
            m_typingUntil.remove(key);
    }
    if (m_typingUntil.isEmpty())
        m_typingTimer.stop();
}

std::optional<StoredMessage> RoomChannel::ownMessage(Connection *connection, const Message &message)
{
    const std::optional<qint64> id =
            integerIn(message.payloadObject().value(QLatin1String("id")), 1, maxId);
    if (!id) {
        connection->replyError(message, Reason::InvalidPayload, QStringLiteral("id: integer >= 1"));
        return std::nullopt;
    }
    QString error;
    const std::optional<StoredMessage> stored = m_context.store.message(*id, &error);
    if (!stored && !error.isEmpty()) {
        connection->replyError(message, Reason::StorageError);
        return std::nullopt;
    }
    if (!stored || stored->room != storeKey(message.topic) || stored->deleted
        || m_deleting.contains(stored->id)) {
        connection->replyError(message, Reason::NotFound);
        return std::nullopt;
    }
    if (stored->userId != connection->userId()) {
        connection->replyError(message, Reason::Forbidden, QStringLiteral("only the author may"));
        return std::nullopt;
    }
    return stored;
}

void RoomChannel::editMessage(Connection *connection, const Message &message)
{
    const std::optional<QString> body = normalizedBody(message.payloadObject().value(QLatin1String("body")));
    const std::optional<StoredMessage> stored = ownMessage(connection, message);
    if (!stored)
        return;
    if (!body)
        return connection->replyError(message, Reason::InvalidBody,
                                      QStringLiteral("1-4000 characters of text"));
    const qint64 id = stored->id;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_context.writes.submit([this, connection = QPointer<Connection>(connection), message, id,
                             body = *body, now](HistoryStore &store) {
        QString error;
        std::optional<StoredMessage> edited = store.edit(id, body, now, &error);
        return [this, connection, message, edited = std::move(edited), error] {
            if (!edited) {
                // No error: deleted meanwhile (the store never edits a deleted message).
                if (connection)
                    connection->replyError(
                        message, error.isEmpty() ? Reason::NotFound : Reason::StorageError);
                return;
            }
            const QJsonObject json = edited->toJson();
            if (connection)
                connection->reply(message, QStringLiteral("ok"),
                                  { { QLatin1String("message"), json } });
            m_context.pubSub.broadcast(message.topic, Event::MsgEdited, json);
        };
    });
}

void RoomChannel::deleteMessage(Connection *connection, const Message &message)
{
    const std::optional<StoredMessage> stored = ownMessage(connection, message);
    if (!stored)
        return;
    const qint64 id = stored->id;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_deleting.insert(id); // until it commits, the message is gone for edits and deletes
    m_context.writes.submit([this, connection = QPointer<Connection>(connection), message, id,
                             now](HistoryStore &store) {
        QString error;
        const bool deleted = store.markDeleted(id, now, &error).has_value();
        return [this, connection, message, id, deleted] {
            m_deleting.remove(id);
            if (!deleted) {
                if (connection)
                    connection->replyError(message, Reason::StorageError);
                return;
            }
            if (connection)
                connection->reply(message, QStringLiteral("ok"));
            m_context.pubSub.broadcast(message.topic, Event::MsgDeleted,
                                       { { QLatin1String("id"), id } });
        };
    });
}

void RoomChannel::notifyDirectMessage(const QString &topicName, const QJsonObject &message)
{
    const std::optional<Topic> dm = parseTopic(topicName);
    if (!dm || dm->kind != Topic::Dm)
        return;
    const QJsonObject payload { { QLatin1String("topic"), topicName }, { QLatin1String("message"), message } };
    for (const QString &user : { dm->userA, dm->userB }) {
        const QList<Connection *> connections = m_context.connections.ofUser(user);
        for (Connection *connection : connections) {
            if (connection->hasJoined(LobbyTopic) && !connection->hasJoined(topicName))
                connection->push(LobbyTopic, Event::DirectMessage, payload);
        }
    }
}

} // namespace Parley::Hub
