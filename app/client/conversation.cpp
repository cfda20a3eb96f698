#include "client/conversation.h"

#include "client/chatreplies.h"
#include "client/logging.h"
#include "client/messagemodel.h"
#include "client/phoenixchannel.h"
#include "client/phoenixsocket.h"
#include "client/presencemodel.h"
#include "client/presencesync.h"
#include "protocol/events.h"
#include "protocol/topics.h"
#include "protocol/validation.h"

#include <QDateTime>
#include <QTimer>
#include <QUuid>

#include <algorithm>

namespace Parley::Client {

namespace {
constexpr qint64 MaxMessageId = (qint64(1) << 53) - 1; // ids stay below 2^53 (docs/protocol.md)
constexpr int CatchUpPageSize = 100; // the largest page `history` gives
constexpr int HistoryPageSize = 50;
constexpr int TypingRepeatMs = 3000;

// A request the hub refused for now (rate_limited): the milliseconds it said to wait (bounded);
// -1 for any other answer.
int retryAfterMs(const QString &status, const QJsonObject &response)
{
    if (status != QLatin1String("error")
        || response.value(QLatin1String("reason")).toString() != Protocol::Reason::RateLimited)
        return -1;
    return std::clamp(response.value(QLatin1String("retry_after_ms")).toInt(1000), 50, 60'000);
}
} // namespace

Conversation::Conversation(const QString &topic, const QString &password, const Identity &identity,
                           NickDirectory *nicks, QObject *parent)
    : QObject(parent)
    , m_topic(topic)
    , m_identity(identity)
    , m_password(password)
    , m_messages(new MessageModel(topic, identity.userId(), this))
    , m_presence(new PresenceModel(identity.userId(), this))
{
    m_messages->setNickDirectory(nicks);
    m_messages->setRowLimit(rowLimit);
    m_liveTimer.setSingleShot(true);
    m_liveTimer.setInterval(liveBatchMs);
    connect(&m_liveTimer, &QTimer::timeout, this, &Conversation::flushLive);
    m_presence->setNickDirectory(nicks);
}

Conversation::~Conversation() = default;

bool Conversation::isDm() const
{
    return Protocol::isDmTopic(m_topic);
}

QJsonObject Conversation::joinParams() const
{
    QJsonObject params;
    if (!m_password.isEmpty())
        params.insert(QStringLiteral("password"), m_password);
    // Unless a gap is still being filled, everything up to the newest message we hold is here.
    const qint64 after = m_catchUpFloor > 0 ? m_catchUpFloor : m_messages->newestId();
    if (after > 0)
        params.insert(QStringLiteral("after_id"), double(after));
    return params;
}

void Conversation::join(PhoenixSocket *socket, int changeTimeoutMs)
{
    m_changeTimeoutMs = changeTimeoutMs;
    // Re-evaluated on every (re)join: catch up after the newest message we hold.
    PhoenixChannel *channel = socket->channel(m_topic, [self = QPointer<Conversation>(this)] {
        return self ? self->joinParams() : QJsonObject();
    });
    m_channel = channel;
    m_sync = std::make_unique<PresenceSync>(channel);
    m_presence->bindTo(m_sync.get());
    connect(channel, &PhoenixChannel::joined, this, &Conversation::onJoined);
    connect(
        channel, &PhoenixChannel::joinFailed, this, [this, channel](const QJsonObject &response) {
            // A refused join (wrong password, no such room, not a member) is final for this
            // attempt; the UI may open the topic again, e.g. with a password. One refused for now
            // (the hub sent much to this connection or address lately, or a password check is
            // under way) is joined again when the hub says.
            if (const int waitMs = retryAfterMs(QStringLiteral("error"), response); waitMs >= 0) {
                qCInfo(lcClient) << "joining" << m_topic << "again in" << waitMs
                                 << "ms (rate limited)";
                return channel->rejoinIn(waitMs);
            }
            const QString reason = reasonOf(QStringLiteral("error"), response);
            qCInfo(lcClient) << "could not open" << m_topic << reason;
            emit openFailed(reason);
        });
    connect(channel, &PhoenixChannel::messageReceived, this, &Conversation::onMessage);
    connect(channel, &PhoenixChannel::errored, this, &Conversation::onErrored);
    channel->join();
}

void Conversation::leave()
{
    if (m_channel) {
        m_channel->QObject::disconnect(this);
        m_channel->leave();
        m_channel->deleteLater();
    }
    m_channel = nullptr;
    m_sync.reset();
    if (m_joined) {
        m_joined = false;
        emit joinedChanged(false);
    }
}

void Conversation::onJoined(const QJsonObject &response)
{
    flushLive(); // what arrived before the connection went, in order before the catch-up
    m_joined = true;
    m_presence->applySummary({}); // the presence_state that follows says who; a summary, if any
    const bool rejoin = m_joinedOnce;
    const QList<ChatMessage> messages = messagesOf(response, m_topic);
    if (!rejoin) {
        m_messages->setHasMore(response.value(QLatin1String("has_more")).toBool());
        m_messages->mergeAll(messages);
        if (!messages.isEmpty())
            emit activity(messages.last().ts);
    } else {
        // Catch-up after a reconnect: what others said meanwhile counts as new.
        for (const ChatMessage &message : messages)
            onIncoming(message, true);
        if (response.value(QLatin1String("has_more")).toBool()) {
            // More than a catch-up page was missed. Joining again with a later after_id would
            // show everyone this user leaving and coming back; instead page back from the
            // newest message with `history` until the pages meet this one.
            if (!messages.isEmpty())
                m_catchUpFloor = messages.last().id;
            catchUpPage(MaxMessageId);
        } else {
            m_catchUpFloor = 0;
        }
    }
    emit joinedChanged(true);
    flush();
    if (!rejoin) {
        m_joinedOnce = true;
        emit opened();
    }
}

void Conversation::catchUpPage(qint64 beforeId)
{
    const QPointer<PhoenixChannel> channel = m_channel;
    channel->push(
        Protocol::Event::History,
        { { QStringLiteral("before_id"), double(beforeId) },
          { QStringLiteral("limit"), CatchUpPageSize } },
        this, [this, channel, beforeId](const QString &status, const QJsonObject &response) {
            if (m_channel != channel || m_catchUpFloor == 0)
                return; // rejoined (the new join continues from the floor) or left
            if (const int waitMs = retryAfterMs(status, response); waitMs >= 0) {
                // The hub sent this connection much lately: the page comes when it says.
                QTimer::singleShot(waitMs, this, [this, channel, beforeId] {
                    if (m_channel == channel && m_catchUpFloor != 0 && m_joined)
                        catchUpPage(beforeId);
                });
                return;
            }
            if (status != QLatin1String("ok")) {
                // The gap stays marked; the next join asks from the floor again.
                emit errorOccurred(
                    tr("Could not load missed messages: %1").arg(reasonOf(status, response)));
                return;
            }
            qint64 oldest = beforeId;
            bool met = false;
            for (const ChatMessage &message : messagesOf(response, m_topic)) {
                if (message.id <= m_catchUpFloor) {
                    met = true;
                    continue;
                }
                onIncoming(message, true);
                oldest = std::min(oldest, message.id);
            }
            if (met || oldest == beforeId || !response.value(QLatin1String("has_more")).toBool())
                m_catchUpFloor = 0;
            else
                catchUpPage(oldest);
        });
}

void Conversation::onErrored()
{
    m_typing = false;
    m_loadingHistory = false;
    m_outbox.connectionLost(); // resent after the rejoin
    if (m_joined) {
        m_joined = false;
        emit joinedChanged(false);
    }
}

void Conversation::onMessage(const QString &event, const QJsonObject &payload)
{
    if (event == Protocol::Event::NewMsg) {
        const ChatMessage message = ChatMessage::fromJson(payload, m_topic);
        if (message.isValid())
            onIncoming(message, true);
    } else if (event == Protocol::Event::MsgEdited) {
        flushLive(); // it may be one of them
        m_messages->applyEdit(ChatMessage::fromJson(payload, m_topic));
    } else if (event == Protocol::Event::MsgDeleted) {
        flushLive();
        m_messages->applyDelete(ChatMessage::fromJson(payload, m_topic).id);
    } else if (event == Protocol::Event::PresenceSummary) {
        m_presence->applySummary(payload);
    }
}

void Conversation::onIncoming(const ChatMessage &message, bool live)
{
    const bool own = message.userId == m_identity.userId();
    if (live && !own) {
        m_live.append(message);
        if (!m_liveTimer.isActive())
            m_liveTimer.start();
        return;
    }
    if (own)
        m_outbox.confirm(message.clientId);
    const bool added = m_messages->merge(message);
    emit activity(message.ts);
    if (added && !own && live)
        emit arrived(message);
}

void Conversation::flushLive()
{
    m_liveTimer.stop();
    if (m_live.isEmpty())
        return;
    const QList<ChatMessage> batch = std::exchange(m_live, {});
    QList<ChatMessage> added;
    for (const ChatMessage &message : batch) {
        if (m_messages->merge(message))
            added.append(message);
    }
    emit activity(batch.last().ts);
    for (const ChatMessage &message : std::as_const(added))
        emit arrived(message);
}

// Sending ------------------------------------------------------------------------------------

void Conversation::send(const QString &body)
{
    if (body.trimmed().isEmpty())
        return;
    ChatMessage message;
    message.topic = m_topic;
    message.userId = m_identity.userId();
    message.nick = m_identity.nick;
    message.body = body;
    message.ts = QDateTime::currentMSecsSinceEpoch();
    message.clientId = QUuid::createUuid().toString(QUuid::Id128);
    message.state = ChatMessage::State::Pending;
    m_messages->addPending(message);
    m_outbox.add(message.clientId, body);
    m_typing = false; // the hub clears it when it accepts the message
    if (m_joined)
        push(message.clientId);
}

QString Conversation::bodyProblem(const QString &body)
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

void Conversation::retry(const QString &clientId)
{
    if (m_outbox.contains(clientId))
        return;
    const int row = m_messages->rowOfClientId(clientId);
    if (row < 0 || m_messages->messageAt(row).state != ChatMessage::State::Failed)
        return;
    m_messages->markPending(clientId);
    m_outbox.add(clientId, m_messages->messageAt(row).body);
    if (m_joined)
        push(clientId);
}

void Conversation::push(const QString &clientId)
{
    const int attempt = m_outbox.beginAttempt(clientId);
    m_channel->push(Protocol::Event::NewMsg,
                    { { QStringLiteral("body"), m_outbox.body(clientId) },
                      { QStringLiteral("client_id"), clientId } },
                    this,
                    [this, clientId, attempt](const QString &status, const QJsonObject &response) {
                        onSendReply(clientId, attempt, status, response);
                    });
}

void Conversation::flush()
{
    const QStringList due = m_outbox.due();
    for (const QString &clientId : due)
        push(clientId);
    const QList<Outbox::Change> changes = m_outbox.takeChanges();
    for (const Outbox::Change &change : changes)
        pushChange(change);
}

void Conversation::onSendReply(const QString &clientId, int attempt, const QString &status,
                               const QJsonObject &response)
{
    switch (m_outbox.reply(clientId, attempt, status)) {
    case Outbox::Outcome::Confirmed:
    case Outbox::Outcome::Stale:
        if (status == QLatin1String("ok")) {
            ChatMessage message = ChatMessage::fromJson(
                response.value(QLatin1String("message")).toObject(), m_topic);
            if (message.clientId.isEmpty())
                message.clientId = clientId;
            if (message.isValid())
                onIncoming(message, false);
        }
        return;
    case Outbox::Outcome::Resend:
        if (m_joined)
            push(clientId);
        return;
    case Outbox::Outcome::Failed:
        break;
    }
    const QString reason = reasonOf(status, response);
    m_messages->markFailed(clientId);
    if (reason == Protocol::Reason::RateLimited)
        emit errorOccurred(tr("Slow down: the hub refused a message (rate limited)."));
    else if (reason == Protocol::Reason::InvalidBody)
        emit errorOccurred(tr("A message must have 1 to 4000 characters."));
    else
        emit errorOccurred(tr("The hub refused a message: %1").arg(reason));
}

// Edits, deletes, history, typing --------------------------------------------------------------

void Conversation::edit(qint64 id, const QString &body)
{
    const Outbox::Change change { Outbox::Change::Kind::Edit, id, body };
    if (m_joined)
        pushChange(change);
    else
        m_outbox.queueChange(change);
}

void Conversation::remove(qint64 id)
{
    const Outbox::Change change { Outbox::Change::Kind::Delete, id, {} };
    if (m_joined)
        pushChange(change);
    else
        m_outbox.queueChange(change);
}

void Conversation::pushChange(const Outbox::Change &change)
{
    if (change.kind == Outbox::Change::Kind::Edit) {
        m_channel->push(
            Protocol::Event::EditMsg,
            { { QStringLiteral("id"), double(change.id) },
              { QStringLiteral("body"), change.body } },
            this,
            [this](const QString &status, const QJsonObject &response) {
                if (status != QLatin1String("ok")) {
                    emit errorOccurred(
                        tr("Could not edit the message: %1").arg(reasonOf(status, response)));
                    return;
                }
                m_messages->applyEdit(ChatMessage::fromJson(
                    response.value(QLatin1String("message")).toObject(), m_topic));
            },
            m_changeTimeoutMs);
        return;
    }
    const qint64 id = change.id;
    m_channel->push(
        Protocol::Event::DeleteMsg, { { QStringLiteral("id"), double(id) } }, this,
        [this, id](const QString &status, const QJsonObject &response) {
            if (status != QLatin1String("ok")) {
                emit errorOccurred(
                    tr("Could not delete the message: %1").arg(reasonOf(status, response)));
                return;
            }
            m_messages->applyDelete(id);
        },
        m_changeTimeoutMs);
}

void Conversation::loadOlder()
{
    if (!m_joined || m_loadingHistory || !m_messages->hasMore())
        return;
    const qint64 oldest = m_messages->oldestId();
    if (oldest <= 0)
        return;
    m_loadingHistory = true;
    m_channel->push(
        Protocol::Event::History,
        { { QStringLiteral("before_id"), double(oldest) },
          { QStringLiteral("limit"), HistoryPageSize } },
        this, [this](const QString &status, const QJsonObject &response) {
            if (const int waitMs = retryAfterMs(status, response); waitMs >= 0) {
                // Asked again when the hub says (still "loading" meanwhile).
                QTimer::singleShot(waitMs, this, [this] {
                    m_loadingHistory = false;
                    loadOlder();
                });
                return;
            }
            m_loadingHistory = false;
            if (status != QLatin1String("ok")) {
                emit errorOccurred(
                    tr("Could not load older messages: %1").arg(reasonOf(status, response)));
                return;
            }
            m_messages->prependHistory(messagesOf(response, m_topic),
                                       response.value(QLatin1String("has_more")).toBool());
        });
}

void Conversation::setTyping(bool typing)
{
    if (!m_joined)
        return;
    if (typing) {
        if (m_typing && m_typingSent.isValid() && m_typingSent.elapsed() < TypingRepeatMs)
            return;
        m_typingSent.start();
    } else if (!m_typing) {
        return;
    }
    m_typing = typing;
    m_channel->push(Protocol::Event::Typing, { { QStringLiteral("typing"), typing } });
}

} // namespace Parley::Client
