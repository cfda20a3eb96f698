// ChatSession: what the user sends (messages with their retries, edits, deletes, typing) and
// the history pages it asks for.

#include "client/chatsession.h"
#include "client/chatreplies.h"
#include "client/messagemodel.h"
#include "client/phoenixchannel.h"
#include "protocol/events.h"
#include "protocol/validation.h"

#include <QDateTime>
#include <QJsonArray>
#include <QUuid>

namespace Parley::Client {

namespace {

constexpr int HistoryPageSize = 50;
constexpr int TypingRepeatMs = 3000;


} // namespace

QString ChatSession::bodyProblem(const QString &body)
{
    if (Protocol::normalizedBody(body))
        return {};
    const QString trimmed = body.trimmed();
    if (trimmed.isEmpty())
        return tr("A message cannot be empty.");
    const qsizetype length = trimmed.toUcs4().size();
    if (length > Protocol::maxBodyLength)
        return tr("A message can have at most %L1 characters; this one has %L2.")
            .arg(Protocol::maxBodyLength)
            .arg(length);
    return tr("A message cannot contain control characters.");
}

void ChatSession::sendMessage(const QString &topic, const QString &body)
{
    Topic *t = topicFor(topic);
    if (!t) {
        emit errorOccurred(tr("%1 is not open").arg(topic));
        return;
    }
    if (body.trimmed().isEmpty())
        return;
    ChatMessage message;
    message.topic = topic;
    message.userId = m_identity.userId();
    message.nick = m_identity.nick;
    message.body = body;
    message.ts = QDateTime::currentMSecsSinceEpoch();
    message.clientId = QUuid::createUuid().toString(QUuid::Id128);
    message.state = ChatMessage::State::Pending;
    t->messages->addPending(message);
    t->outgoing.insert(message.clientId, Outgoing { body });
    t->outgoingOrder.append(message.clientId);
    t->typing = false; // the hub clears it when it accepts the message
    if (t->joined)
        pushOutgoing(*t, message.clientId);
}

void ChatSession::retryMessage(const QString &topic, const QString &clientId)
{
    Topic *t = topicFor(topic);
    if (!t || t->outgoing.contains(clientId))
        return;
    const int row = t->messages->rowOfClientId(clientId);
    const ChatMessage message = t->messages->messageAt(row);
    if (row < 0 || message.state != ChatMessage::State::Failed)
        return;
    t->messages->markPending(clientId);
    t->outgoing.insert(clientId, Outgoing { message.body });
    t->outgoingOrder.append(clientId);
    if (t->joined)
        pushOutgoing(*t, clientId);
}

void ChatSession::pushOutgoing(Topic &t, const QString &clientId)
{
    Outgoing &outgoing = t.outgoing[clientId];
    const int attempt = ++outgoing.attempt;
    outgoing.inFlight = true;
    const QString topic = t.name;
    t.channel->push(
        Protocol::Event::NewMsg,
        { { QStringLiteral("body"), outgoing.body }, { QStringLiteral("client_id"), clientId } },
        this, [this, topic, clientId, attempt](const QString &status, const QJsonObject &response) {
            onSendReply(topic, clientId, attempt, status, response);
        });
}

void ChatSession::flushOutgoing(Topic &t)
{
    const QStringList order = t.outgoingOrder;
    for (const QString &clientId : order) {
        const auto it = t.outgoing.constFind(clientId);
        if (it != t.outgoing.cend() && !it->inFlight)
            pushOutgoing(t, clientId);
    }
}

void ChatSession::dropOutgoing(Topic &t, const QString &clientId)
{
    t.outgoing.remove(clientId);
    t.outgoingOrder.removeOne(clientId);
}

void ChatSession::onSendReply(const QString &topic, const QString &clientId, int attempt,
                              const QString &status, const QJsonObject &response)
{
    Topic *t = topicFor(topic);
    if (!t)
        return;
    if (status == QLatin1String("ok")) {
        // An ok is authoritative whichever attempt it answers.
        ChatMessage message
            = ChatMessage::fromJson(response.value(QLatin1String("message")).toObject(), topic);
        if (message.clientId.isEmpty())
            message.clientId = clientId;
        if (message.isValid())
            onIncomingMessage(*t, message, false);
        dropOutgoing(*t, clientId);
        return;
    }
    const auto it = t->outgoing.find(clientId);
    if (it == t->outgoing.end() || it->attempt != attempt)
        return; // confirmed meanwhile, or an answer to an older attempt
    if (status == QLatin1String("timeout")) {
        // No answer: keep it pending and send it again (same client_id, so never twice).
        it->inFlight = false;
        if (t->joined)
            pushOutgoing(*t, clientId);
        return;
    }
    const QString reason = reasonOf(status, response);
    dropOutgoing(*t, clientId);
    t->messages->markFailed(clientId);
    if (reason == QLatin1String("rate_limited"))
        emit errorOccurred(tr("Slow down: the hub refused a message (rate limited)."));
    else if (reason == QLatin1String("invalid_body"))
        emit errorOccurred(tr("A message must have 1 to 4000 characters."));
    else
        emit errorOccurred(tr("The hub refused a message: %1").arg(reason));
}

void ChatSession::editMessage(const QString &topic, qint64 id, const QString &body)
{
    Topic *t = topicFor(topic);
    if (!t || !t->channel)
        return;
    t->channel->push(
        Protocol::Event::EditMsg,
        { { QStringLiteral("id"), double(id) }, { QStringLiteral("body"), body } }, this,
        [this, topic](const QString &status, const QJsonObject &response) {
            if (status != QLatin1String("ok")) {
                emit errorOccurred(
                    tr("Could not edit the message: %1").arg(reasonOf(status, response)));
                return;
            }
            if (Topic *t = topicFor(topic))
                t->messages->applyEdit(ChatMessage::fromJson(
                    response.value(QLatin1String("message")).toObject(), topic));
        },
        m_timings.offlineChangeTimeoutMs);
}

void ChatSession::deleteMessage(const QString &topic, qint64 id)
{
    Topic *t = topicFor(topic);
    if (!t || !t->channel)
        return;
    t->channel->push(
        Protocol::Event::DeleteMsg, { { QStringLiteral("id"), double(id) } }, this,
        [this, topic, id](const QString &status, const QJsonObject &response) {
            if (status != QLatin1String("ok")) {
                emit errorOccurred(
                    tr("Could not delete the message: %1").arg(reasonOf(status, response)));
                return;
            }
            if (Topic *t = topicFor(topic))
                t->messages->applyDelete(id);
        },
        m_timings.offlineChangeTimeoutMs);
}

void ChatSession::loadOlder(const QString &topic)
{
    Topic *t = topicFor(topic);
    if (!t || !t->joined || t->loadingHistory || !t->messages->hasMore())
        return;
    const qint64 oldest = t->messages->oldestId();
    if (oldest <= 0)
        return;
    t->loadingHistory = true;
    t->channel->push(
        Protocol::Event::History,
        { { QStringLiteral("before_id"), double(oldest) },
          { QStringLiteral("limit"), HistoryPageSize } },
        this, [this, topic](const QString &status, const QJsonObject &response) {
            Topic *t = topicFor(topic);
            if (!t)
                return;
            t->loadingHistory = false;
            if (status != QLatin1String("ok")) {
                emit errorOccurred(
                    tr("Could not load older messages: %1").arg(reasonOf(status, response)));
                return;
            }
            t->messages->prependHistory(messagesOf(response, topic),
                                        response.value(QLatin1String("has_more")).toBool());
        });
}

void ChatSession::setTyping(const QString &topic, bool typing)
{
    Topic *t = topicFor(topic);
    if (!t || !t->joined)
        return;
    if (typing) {
        if (t->typing && t->typingSent.isValid() && t->typingSent.elapsed() < TypingRepeatMs)
            return;
        t->typingSent.start();
    } else if (!t->typing) {
        return;
    }
    t->typing = typing;
    t->channel->push(Protocol::Event::Typing, { { QStringLiteral("typing"), typing } });
}

} // namespace Parley::Client
