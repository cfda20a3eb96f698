// ChatSession: open topics (rooms and dms), their messages, presence and unread counts.

#include "client/chatsession.h"
#include "client/chatreplies.h"
#include "client/logging.h"
#include "client/mentions.h"
#include "client/messagemodel.h"
#include "client/phoenixchannel.h"
#include "client/presencemodel.h"
#include "client/presencesync.h"
#include "client/roomlistmodel.h"
#include "protocol/events.h"
#include "protocol/topics.h"

#include <QJsonArray>
#include <QPointer>

#include <algorithm>

namespace Parley::Client {

namespace {

constexpr qint64 MaxMessageId = (qint64(1) << 53) - 1; // ids stay below 2^53 (docs/protocol.md)
constexpr int CatchUpPageSize = 100; // the largest page `history` gives

bool isChatTopic(const QString &topic)
{
    return Protocol::isConversationTopic(topic);
}

} // namespace

ChatSession::Topic *ChatSession::topicFor(const QString &topic) const
{
    const auto it = m_topics.constFind(topic);
    return it == m_topics.cend() ? nullptr : it.value().get();
}

QStringList ChatSession::openTopics() const
{
    QStringList topics = m_topics.keys();
    topics.sort();
    return topics;
}

bool ChatSession::isJoined(const QString &topic) const
{
    const Topic *t = topicFor(topic);
    return t && t->joined;
}

MessageModel *ChatSession::messages(const QString &topic) const
{
    const Topic *t = topicFor(topic);
    return t ? t->messages : nullptr;
}

PresenceModel *ChatSession::presence(const QString &topic) const
{
    const Topic *t = topicFor(topic);
    return t ? t->presence : nullptr;
}

void ChatSession::openTopic(const QString &topic, const QString &password)
{
    if (!isChatTopic(topic)) {
        emit topicOpenFailed(topic, QStringLiteral("unmatched topic"));
        return;
    }
    if (m_topics.contains(topic))
        return;
    auto t = std::make_shared<Topic>();
    t->name = topic;
    t->password = password;
    t->messages = new MessageModel(topic, m_identity.userId(), this);
    t->presence = new PresenceModel(m_identity.userId(), this);
    t->messages->setNickDirectory(m_nicks);
    t->presence->setNickDirectory(m_nicks);
    m_topics.insert(topic, t);
    if (Protocol::isDmTopic(topic))
        ensureDmRow(topic);
    if (m_socket)
        startTopic(*t);
}

void ChatSession::startTopic(Topic &t)
{
    const QString topic = t.name;
    // Re-evaluated on every (re)join: catch up after the newest message we hold.
    PhoenixChannel *channel = m_socket->channel(topic, [this, topic] {
        QJsonObject params;
        const Topic *current = topicFor(topic);
        if (!current)
            return params;
        if (!current->password.isEmpty())
            params.insert(QStringLiteral("password"), current->password);
        // Unless a gap is still being filled, everything up to the newest message we hold
        // is here.
        const qint64 after = current->catchUpFloor > 0 ? current->catchUpFloor
                                                       : current->messages->newestId();
        if (after > 0)
            params.insert(QStringLiteral("after_id"), double(after));
        return params;
    });
    t.channel = channel;
    t.sync = std::make_unique<PresenceSync>(channel);
    t.presence->bindTo(t.sync.get());
    connect(channel, &PhoenixChannel::joined, this,
            [this, topic](const QJsonObject &response) { onTopicJoined(topic, response); });
    connect(channel, &PhoenixChannel::joinFailed, this,
            [this, topic](const QJsonObject &response) { onTopicJoinFailed(topic, response); });
    connect(channel, &PhoenixChannel::messageReceived, this,
            [this, topic](const QString &event, const QJsonObject &payload) {
                onTopicMessage(topic, event, payload);
            });
    connect(channel, &PhoenixChannel::errored, this, [this, topic] { onTopicErrored(topic); });
    channel->join();
}

void ChatSession::closeTopic(const QString &topic)
{
    const std::shared_ptr<Topic> t = m_topics.take(topic);
    if (!t)
        return;
    if (t->channel) {
        t->channel->QObject::disconnect(this);
        t->channel->leave();
        t->channel->deleteLater();
    }
    t->sync.reset();
    if (Protocol::isDmTopic(topic))
        m_rooms->remove(topic);
    else
        m_rooms->setJoined(topic, false);
    if (m_currentTopic == topic)
        setCurrentTopic({});
    emit topicClosed(topic);
    t->messages->deleteLater();
    t->presence->deleteLater();
}

void ChatSession::onTopicJoined(const QString &topic, const QJsonObject &response)
{
    Topic *t = topicFor(topic);
    if (!t)
        return;
    t->joined = true;
    t->presence->applySummary({}); // the presence_state that follows says who; a summary, if any
    const bool rejoin = t->joinedOnce;
    const QList<ChatMessage> messages = messagesOf(response, topic);
    if (!rejoin) {
        t->messages->setHasMore(response.value(QLatin1String("has_more")).toBool());
        t->messages->mergeAll(messages);
        if (!messages.isEmpty())
            m_rooms->setLastActivity(topic, messages.last().ts);
    } else {
        // Catch-up after a reconnect: what others said meanwhile counts as new.
        for (const ChatMessage &message : messages)
            onIncomingMessage(*t, message, true);
        if (response.value(QLatin1String("has_more")).toBool()) {
            // More than a catch-up page was missed. Joining again with a later after_id would
            // show everyone this user leaving and coming back; instead page back from the
            // newest message with `history` until the pages meet this one.
            if (!messages.isEmpty())
                t->catchUpFloor = messages.last().id;
            catchUpPage(*t, MaxMessageId);
        } else {
            t->catchUpFloor = 0;
        }
    }
    m_rooms->setJoined(topic, true);
    flushOutgoing(*t);
    if (!rejoin) {
        t->joinedOnce = true;
        emit topicOpened(topic);
    }
}

void ChatSession::catchUpPage(Topic &t, qint64 beforeId)
{
    const QString topic = t.name;
    const QPointer<PhoenixChannel> channel = t.channel;
    channel->push(
        Protocol::Event::History,
        { { QStringLiteral("before_id"), double(beforeId) },
          { QStringLiteral("limit"), CatchUpPageSize } },
        this, [this, topic, channel, beforeId](const QString &status, const QJsonObject &response) {
            Topic *t = topicFor(topic);
            if (!t || t->channel != channel || t->catchUpFloor == 0)
                return; // rejoined (the new join continues from the floor) or closed
            if (status != QLatin1String("ok")) {
                // The gap stays marked; the next join asks from the floor again.
                emit errorOccurred(
                    tr("Could not load missed messages: %1").arg(reasonOf(status, response)));
                return;
            }
            qint64 oldest = beforeId;
            bool met = false;
            for (const ChatMessage &message : messagesOf(response, topic)) {
                if (message.id <= t->catchUpFloor) {
                    met = true;
                    continue;
                }
                onIncomingMessage(*t, message, true);
                oldest = std::min(oldest, message.id);
            }
            if (met || oldest == beforeId || !response.value(QLatin1String("has_more")).toBool())
                t->catchUpFloor = 0;
            else
                catchUpPage(*t, oldest);
        });
}

void ChatSession::onTopicJoinFailed(const QString &topic, const QJsonObject &response)
{
    // A refused join (wrong password, no such room, not a member) is final for this attempt;
    // the UI may call openTopic() again, e.g. with a password.
    const QString reason = reasonOf(QStringLiteral("error"), response);
    qCInfo(lcClient) << "could not open" << topic << reason;
    closeTopic(topic);
    emit topicOpenFailed(topic, reason);
}

void ChatSession::onTopicErrored(const QString &topic)
{
    Topic *t = topicFor(topic);
    if (!t)
        return;
    t->joined = false;
    t->typing = false;
    t->loadingHistory = false;
    // Replies to what was in flight can no longer come: resend after the rejoin.
    for (Outgoing &outgoing : t->outgoing)
        outgoing.inFlight = false;
}

void ChatSession::onTopicMessage(const QString &topic, const QString &event,
                                 const QJsonObject &payload)
{
    Topic *t = topicFor(topic);
    if (!t)
        return;
    if (event == Protocol::Event::NewMsg) {
        const ChatMessage message = ChatMessage::fromJson(payload, topic);
        if (message.isValid())
            onIncomingMessage(*t, message, true);
    } else if (event == Protocol::Event::MsgEdited) {
        t->messages->applyEdit(ChatMessage::fromJson(payload, topic));
    } else if (event == Protocol::Event::MsgDeleted) {
        t->messages->applyDelete(ChatMessage::fromJson(payload, topic).id);
    } else if (event == Protocol::Event::PresenceSummary) {
        t->presence->applySummary(payload);
    }
}

void ChatSession::onIncomingMessage(Topic &t, const ChatMessage &message, bool live)
{
    const bool own = message.userId == m_identity.userId();
    if (own && t.outgoing.contains(message.clientId))
        dropOutgoing(t, message.clientId);
    const bool added = t.messages->merge(message);
    m_rooms->setLastActivity(t.name, message.ts);
    if (!added || own || !live)
        return;
    if (t.name != m_currentTopic)
        m_rooms->incrementUnread(t.name, 1,
                                 m_rooms->entry(t.name).isDm || mentionsNick(message.body, m_identity.nick));
    emit messageArrived(t.name, message);
}

void ChatSession::setCurrentTopic(const QString &topic)
{
    if (!topic.isEmpty())
        m_rooms->clearUnread(topic);
    if (topic == m_currentTopic)
        return;
    m_currentTopic = topic;
    emit currentTopicChanged(topic);
}

} // namespace Parley::Client
