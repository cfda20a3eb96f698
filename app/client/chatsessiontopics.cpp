// ChatSession: the open rooms and dms (one Conversation each), and their unread counts.

#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/mentions.h"
#include "client/messagemodel.h"
#include "client/roomlistmodel.h"
#include "protocol/topics.h"

namespace Parley::Client {

QStringList ChatSession::openTopics() const
{
    QStringList topics = m_conversations.keys();
    topics.sort();
    return topics;
}

Conversation *ChatSession::conversation(const QString &topic) const
{
    return m_conversations.value(topic);
}

bool ChatSession::isJoined(const QString &topic) const
{
    const Conversation *conversation = m_conversations.value(topic);
    return conversation && conversation->isJoined();
}

void ChatSession::openTopic(const QString &topic, const QString &password)
{
    if (!Protocol::isConversationTopic(topic)) {
        emit topicOpenFailed(topic, QStringLiteral("unmatched topic"));
        return;
    }
    if (m_conversations.contains(topic))
        return;
    auto *conversation = new Conversation(topic, password, m_identity, m_nicks, this);
    m_conversations.insert(topic, conversation);
    connect(conversation, &Conversation::opened, this, [this, topic, conversation] {
        countUnreadSinceLastVisit(conversation);
        emit topicOpened(topic);
    });
    connect(conversation, &Conversation::openFailed, this, [this, topic](const QString &reason) {
        closeTopic(topic);
        emit topicOpenFailed(topic, reason);
    });
    connect(conversation, &Conversation::joinedChanged, this,
            [this, topic](bool joined) { m_rooms->setJoined(topic, joined); });
    connect(conversation, &Conversation::activity, this, [this, topic](qint64 ms) {
        m_rooms->setLastActivity(topic, ms);
        if (topic == m_currentTopic)
            markRead(topic); // what arrives in the room shown is read
    });
    connect(conversation, &Conversation::arrived, this,
            [this, conversation](const ChatMessage &message) { onArrived(conversation, message); });
    connect(conversation, &Conversation::errorOccurred, this, &ChatSession::errorOccurred);
    if (Protocol::isDmTopic(topic))
        ensureDmRow(topic);
    if (m_socket)
        conversation->join(m_socket.get(), m_timings.offlineChangeTimeoutMs);
}

void ChatSession::closeTopic(const QString &topic)
{
    Conversation *conversation = m_conversations.take(topic);
    if (!conversation)
        return;
    conversation->disconnect(this);
    conversation->leave();
    if (Protocol::isDmTopic(topic))
        m_rooms->remove(topic);
    else
        m_rooms->setJoined(topic, false);
    if (m_currentTopic == topic)
        setCurrentTopic({});
    emit topicClosed(topic);
    conversation->deleteLater(); // a view may still hold its models for a moment
}

void ChatSession::onArrived(Conversation *conversation, const ChatMessage &message)
{
    const QString topic = conversation->topic();
    if (topic != m_currentTopic) {
        m_rooms->incrementUnread(
            topic, 1, conversation->isDm() || mentionsNick(message.body, m_identity.nick));
        // The first unread stays loaded (the window of rows never drops it).
        if (conversation->messages()->keepFrom() == 0)
            conversation->messages()->setKeepFrom(message.id);
    }
    emit messageArrived(topic, message);
}

void ChatSession::countUnreadSinceLastVisit(Conversation *conversation)
{
    // The first page of history is in: what others wrote after the last read message (from a
    // run before this one) is unread, unless the room is shown now.
    const QString topic = conversation->topic();
    const auto known = m_readUpTo.constFind(topic);
    if (known == m_readUpTo.cend() || topic == m_currentTopic)
        return;
    const MessageModel *messages = conversation->messages();
    int unread = 0;
    int mentions = 0;
    for (int row = 0; row < messages->rowCount(); ++row) {
        const ChatMessage message = messages->messageAt(row);
        if (message.id <= *known || message.userId == m_identity.userId() || message.deleted)
            continue;
        ++unread;
        if (conversation->isDm() || mentionsNick(message.body, m_identity.nick))
            ++mentions;
    }
    m_rooms->incrementUnread(topic, unread - mentions, false);
    m_rooms->incrementUnread(topic, mentions, true);
    if (unread > 0)
        conversation->messages()->setKeepFrom(*known + 1);
}

void ChatSession::markRead(const QString &topic)
{
    const Conversation *conversation = m_conversations.value(topic);
    const qint64 newest = conversation ? conversation->messages()->newestId() : 0;
    if (newest > m_readUpTo.value(topic))
        m_readUpTo.insert(topic, newest);
}

void ChatSession::setCurrentTopic(const QString &topic)
{
    if (!topic.isEmpty()) {
        m_rooms->clearUnread(topic);
        markRead(topic);
    }
    if (topic == m_currentTopic)
        return;
    m_currentTopic = topic;
    // Shown, its unread ones are the view's to keep (its "new messages" line).
    if (Conversation *shown = m_conversations.value(topic))
        shown->messages()->setKeepFrom(0);
    emit currentTopicChanged(topic);
}

} // namespace Parley::Client
