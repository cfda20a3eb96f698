#include "hub/connection.h"

#include "hub/peerlimits.h"
#include "hub/transport.h"
#include "protocol/codec.h"
#include "protocol/events.h"

#include <QDateTime>

namespace Parley::Hub {

using namespace Parley::Protocol;

Connection::Connection(quint64 id, Transport *ws, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_ws(ws)
    , m_peerAddress(PeerLimits::normalized(ws->peerAddress()))
{
    m_ws->setParent(this);
}

Connection::~Connection() = default;

void Connection::authenticate(const QString &userId, const QString &nick, const QString &device)
{
    m_verifying = false;
    m_userId = userId;
    m_nick = nick;
    m_device = device;
    m_onlineAt = QDateTime::currentMSecsSinceEpoch();
    m_authenticated = true;
}

void Connection::send(const Message &message)
{
    if (m_closing)
        return;
    const QByteArray text = encode(message);
    m_bytesSent += text.size();
    m_ws->sendText(text);
    checkOverflow();
}

void Connection::sendFrame(const QByteArray &frame)
{
    if (m_closing)
        return;
    m_ws->sendFrame(frame);
    checkOverflow();
}

void Connection::reply(const Message &request, const QString &status, const QJsonObject &response)
{
    send(makeReply(request.joinRef, request.ref, request.topic, status, response));
}

void Connection::replyOkEncoded(const Message &request, QLatin1StringView key, QByteArrayView json)
{
    if (m_closing)
        return;
    QByteArray payload;
    payload.reserve(40 + key.size() + json.size());
    payload.append(R"({"response":{")").append(key.data(), key.size()).append("\":");
    payload.append(json.data(), json.size());
    payload.append(R"(},"status":"ok"})");
    // The envelope only: encode() writes `payload` in place of message.payload.
    const Message envelope { request.joinRef, request.ref, request.topic, Event::Reply, {} };
    const QByteArray text = encode(envelope, payload);
    m_bytesSent += text.size();
    m_ws->sendText(text);
    checkOverflow();
}

void Connection::replyError(const Message &request, const QString &reason, const QString &detail)
{
    reply(request, QStringLiteral("error"), errorResponse(reason, detail));
}

void Connection::replyRateLimited(const Message &request, qint64 retryAfterMs,
                                  const QString &detail)
{
    QJsonObject response = errorResponse(Reason::RateLimited, detail);
    response.insert(QLatin1String("retry_after_ms"), retryAfterMs);
    reply(request, QStringLiteral("error"), response);
}

void Connection::push(const QString &topic, const QString &event, const QJsonObject &payload)
{
    send(makePush(m_joins.value(topic, QJsonValue::Null), topic, event, payload));
}

void Connection::pushEncoded(const QString &topic, const QString &event, QByteArrayView payloadJson)
{
    if (m_closing)
        return;
    const QByteArray text
        = encode(makePush(m_joins.value(topic, QJsonValue::Null), topic, event, {}), payloadJson);
    m_bytesSent += text.size();
    m_ws->sendText(text);
    checkOverflow();
}

void Connection::close(quint16 code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    emit closing(code, reason);
    m_ws->close(code, reason);
}

qint64 Connection::queuedBytes() const
{
    return m_ws->queuedBytes();
}

void Connection::checkOverflow()
{
    if (m_overflowSignalled || m_ws->queuedBytes() <= m_maxOutgoingBytes)
        return;
    m_overflowSignalled = true;
    emit overflowed();
}

} // namespace Parley::Hub
