#pragma once

#include "hub/earlyframes.h"
#include "hub/ratelimiter.h"
#include "hub/tokenbucket.h"
#include "protocol/events.h"
#include "protocol/message.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonValue>
#include <QObject>

#include <utility>

namespace Parley::Hub {

class Transport;

// One client: its identity from the connect params, the topics it has joined (topic ->
// join_ref), its rate limiter and its transport. Routing lives in the Hub; this class only
// sends. Owned by the Hub, hub thread only.
class Connection : public QObject
{
    Q_OBJECT
public:
    Connection(quint64 id, Transport *transport, QObject *parent = nullptr);
    ~Connection() override;

    quint64 id() const { return m_id; }
    Transport *transport() const { return m_ws; }
    // Where it came from (an IPv4-mapped address as IPv4), kept: also known once it is gone.
    QHostAddress peerAddress() const { return m_peerAddress; }

    // Identity, set once the connect params were accepted.
    bool isAuthenticated() const { return m_authenticated; }
    // The connect is being verified (off the hub thread): frames arriving meanwhile are kept.
    bool isVerifying() const { return m_verifying; }
    void setVerifying(bool verifying) { m_verifying = verifying; }
    // Frames that arrived while verifying, handled once the connect is accepted.
    EarlyFrames &earlyFrames() { return m_earlyFrames; }
    void authenticate(const QString &userId, const QString &nick, const QString &device);
    QString userId() const { return m_userId; }
    QString nick() const { return m_nick; }
    QString device() const { return m_device; }
    QString status() const { return m_status; }
    void setStatus(const QString &status) { m_status = status; }
    qint64 onlineAt() const { return m_onlineAt; }

    // Joined topics.
    bool hasJoined(const QString &topic) const { return m_joins.contains(topic); }
    QJsonValue joinRef(const QString &topic) const { return m_joins.value(topic); }
    void setJoined(const QString &topic, const QJsonValue &joinRef) { m_joins.insert(topic, joinRef); }
    void setLeft(const QString &topic) { m_joins.remove(topic); }
    QList<QString> joinedTopics() const { return m_joins.keys(); }
    int channelCount() const { return int(m_joins.size()); }

    // Sending. Everything is dropped once the connection is closing.
    void send(const Protocol::Message &message);
    void sendFrame(const QByteArray &frame);
    void reply(const Protocol::Message &request, const QString &status,
               const QJsonObject &response = {});
    // An ok reply whose response is {"<key>": <json>}, json already compact JSON.
    void replyOkEncoded(const Protocol::Message &request, QLatin1StringView key, QByteArrayView json);
    void replyError(const Protocol::Message &request, const QString &reason,
                    const QString &detail = {});
    // rate_limited, with when to come back.
    void replyRateLimited(const Protocol::Message &request, qint64 retryAfterMs,
                          const QString &detail = {});
    void push(const QString &topic, const QString &event, const QJsonObject &payload);
    // A push whose payload is already compact JSON.
    void pushEncoded(const QString &topic, const QString &event, QByteArrayView payloadJson);
    void close(quint16 code, const QString &reason);
    bool isClosing() const { return m_closing; }

    RateLimiter &rateLimiter() { return m_rate; }
    // Bytes of the frames written to this connection alone (replies and pushes, not broadcasts).
    qint64 bytesSent() const { return m_bytesSent; }
    // The join and history output this connection may still be sent (Hub::refuseForOutput).
    TokenBucket &outputBudget() { return m_output; }
    // A password check of this connection is under way: one at a time.
    bool isCheckingPassword() const { return m_checkingPassword; }
    void setCheckingPassword(bool checking) { m_checkingPassword = checking; }
    qint64 lastActivityMs() const { return m_lastActivityMs; }
    void touch(qint64 nowMs) { m_lastActivityMs = nowMs; }
    qint64 connectedAtMs() const { return m_connectedAtMs; }
    void setConnectedAtMs(qint64 ms) { m_connectedAtMs = m_lastActivityMs = ms; }

    void setMaxOutgoingBytes(qint64 bytes) { m_maxOutgoingBytes = bytes; }
    // Bytes written to this connection that the kernel has not taken yet.
    qint64 queuedBytes() const;
    bool isOverCap() const { return queuedBytes() > m_maxOutgoingBytes; }
    // After overflowed(): the queue went back under the cap; watch it again.
    void clearOverflow() { m_overflowSignalled = false; }

signals:
    // The queued outgoing bytes passed the cap: the hub closes it as a slow consumer.
    void overflowed();
    // close() was called: the close frame with this code and reason is on its way.
    void closing(quint16 code, const QString &reason);

private:
    void checkOverflow();

    quint64 m_id;
    Transport *m_ws; // child
    QHostAddress m_peerAddress;
    bool m_authenticated = false;
    bool m_verifying = false;
    EarlyFrames m_earlyFrames;
    bool m_closing = false;
    QString m_userId;
    QString m_nick;
    QString m_device;
    QString m_status = Protocol::Status::Online;
    qint64 m_onlineAt = 0;
    QHash<QString, QJsonValue> m_joins;
    RateLimiter m_rate;
    TokenBucket m_output;
    qint64 m_bytesSent = 0;
    bool m_checkingPassword = false;
    qint64 m_lastActivityMs = 0;
    qint64 m_connectedAtMs = 0;
    qint64 m_maxOutgoingBytes = 4 * 1024 * 1024;
    bool m_overflowSignalled = false;
};

} // namespace Parley::Hub
