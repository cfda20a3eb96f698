#include "client/phoenixpush.h"

#include "client/phoenixchannel.h"
#include "client/phoenixsocket.h"

namespace Parley::Client {

PhoenixPush::PhoenixPush(PhoenixChannel *channel, const QString &event,
                         std::function<QJsonObject()> payload, int timeoutMs)
    : m_channel(channel)
    , m_event(event)
    , m_payload(std::move(payload))
    , m_timeoutMs(timeoutMs)
{
}

bool PhoenixPush::hasReceived(const QString &status) const
{
    return !m_receivedStatus.isNull() && m_receivedStatus == status;
}

void PhoenixPush::send()
{
    if (hasReceived(QStringLiteral("timeout")))
        return;
    startTimeout();
    const QJsonObject payload = m_payload ? m_payload() : QJsonObject();
    const QString joinRef = m_channel->joinRef();
    m_channel->socket()->push(
        Protocol::Message { joinRef.isNull() ? QJsonValue(QJsonValue::Null) : joinRef, m_ref,
                            m_channel->topic(), m_event, payload },
        m_channel);
}

void PhoenixPush::resend(int timeoutMs)
{
    m_timeoutMs = timeoutMs;
    reset();
    send();
}

void PhoenixPush::startTimeout()
{
    cancelTimeout();
    cancelRefEvent();
    m_ref = m_channel->socket()->makeRef();
    m_channel->bindReply(m_ref, shared_from_this());
    m_timerId = m_channel->startPushTimer(m_timeoutMs, shared_from_this());
}

void PhoenixPush::cancelTimeout()
{
    if (m_timerId) {
        m_channel->stopPushTimer(m_timerId);
        m_timerId = 0;
    }
}

void PhoenixPush::reset()
{
    // phoenix.js leaves the timer running but disarmed; stopping it is the same, only cheaper.
    cancelTimeout();
    cancelRefEvent();
    m_ref.clear();
    m_receivedStatus.clear();
}

void PhoenixPush::trigger(const QString &status, const QJsonObject &response)
{
    if (!m_ref.isEmpty() && m_channel->isBound(m_ref, this))
        deliver(status, response);
}

void PhoenixPush::deliver(const QString &status, const QJsonObject &response)
{
    const auto keepAlive = shared_from_this(); // unbinding may drop the last owner
    cancelRefEvent();
    cancelTimeout();
    m_receivedStatus = status;
    if (m_handler)
        m_handler(status, response);
}

void PhoenixPush::cancelRefEvent()
{
    if (!m_ref.isEmpty())
        m_channel->unbindReply(m_ref, this);
}

} // namespace Parley::Client
