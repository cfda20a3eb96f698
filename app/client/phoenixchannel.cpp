#include "client/phoenixchannel.h"

#include "client/logging.h"
#include "client/phoenixpush.h"
#include "client/phoenixsocket.h"
#include "protocol/events.h"

#include <QPointer>
#include <QTimer>
#include <QTimerEvent>

namespace Parley::Client {

using namespace Protocol;

PhoenixChannel::PhoenixChannel(const QString &topic, ParamsProvider params, PhoenixSocket *socket)
    : QObject(socket)
    , m_socket(socket)
    , m_topic(topic)
    , m_params(std::move(params))
    , m_rejoinTimer(
          [this] {
              if (m_socket->isConnected())
                  rejoin();
          },
          [this](int tries) { return m_socket->timings().rejoinAfterMs(tries); })
{
    m_joinPush = std::make_shared<PhoenixPush>(
        this, Event::Join, [this] { return m_params ? m_params() : QJsonObject(); },
        effectiveTimeout(-1));
    m_joinPush->setHandler([this](const QString &status, const QJsonObject &response) {
        onJoinReply(status, response);
    });

    connect(socket, &PhoenixSocket::errorOccurred, this, [this] { m_rejoinTimer.reset(); });
    connect(socket, &PhoenixSocket::opened, this, [this] {
        m_rejoinTimer.reset();
        if (isErrored())
            rejoin();
    });
}

PhoenixChannel::~PhoenixChannel()
{
    m_socket->removeChannel(this);
}

QString PhoenixChannel::joinRef() const
{
    return m_joinPush->ref();
}

bool PhoenixChannel::join(int timeoutMs)
{
    if (m_joinedOnce) {
        qCWarning(lcClient) << "join() called twice on" << m_topic
                            << "; a channel joins once, make a new one instead";
        return false;
    }
    m_timeoutMs = timeoutMs;
    m_joinedOnce = true;
    rejoin();
    return true;
}

void PhoenixChannel::push(const QString &event, const QJsonObject &payload, ReplyCallback callback,
                          int timeoutMs)
{
    if (!m_joinedOnce) {
        qCWarning(lcClient) << "push of" << event << "to" << m_topic << "before join()";
        if (callback) {
            QTimer::singleShot(0, this, [callback] {
                callback(
                    QStringLiteral("error"),
                    QJsonObject { { QStringLiteral("reason"), QStringLiteral("not_joined") } });
            });
        }
        return;
    }
    auto push = std::make_shared<PhoenixPush>(
        this, event, [payload] { return payload; }, effectiveTimeout(timeoutMs));
    push->setHandler(std::move(callback));
    if (canPush()) {
        push->send();
    } else {
        push->startTimeout();
        m_pushBuffer.append(push);
    }
}

void PhoenixChannel::push(const QString &event, const QJsonObject &payload, const QObject *context,
                          ReplyCallback callback, int timeoutMs)
{
    QPointer<const QObject> guard(context);
    push(
        event, payload,
        [guard, callback = std::move(callback)](const QString &status,
                                                const QJsonObject &response) {
            if (guard && callback)
                callback(status, response);
        },
        timeoutMs);
}

void PhoenixChannel::leave(int timeoutMs)
{
    m_rejoinTimer.reset();
    m_joinPush->cancelTimeout();
    setState(State::Leaving);
    auto leavePush = std::make_shared<PhoenixPush>(
        this, Event::Leave, [] { return QJsonObject(); }, effectiveTimeout(timeoutMs));
    leavePush->setHandler([this](const QString &status, const QJsonObject &) {
        if (status == QLatin1String("ok") || status == QLatin1String("timeout"))
            onClose();
    });
    leavePush->send();
    // A leaving channel cannot push, so the leave completes locally at once (phoenix.js).
    if (!canPush())
        leavePush->trigger(QStringLiteral("ok"), QJsonObject());
}

bool PhoenixChannel::isMember(const QString &topic, const QJsonValue &joinRef) const
{
    if (topic != m_topic)
        return false;
    const QString ref = joinRef.toString();
    if (!ref.isEmpty() && ref != this->joinRef()) {
        qCDebug(lcClient) << "dropping outdated message for" << topic << "join_ref" << ref;
        return false;
    }
    return true;
}

void PhoenixChannel::trigger(const Message &message)
{
    if (message.event == Event::Reply) {
        const auto it = m_replyBindings.constFind(message.ref.toString());
        if (it != m_replyBindings.cend()) {
            const std::shared_ptr<PhoenixPush> push = it.value();
            push->deliver(message.replyStatus(), message.replyResponse());
        }
    } else if (message.event == Event::Close) {
        onClose();
    } else if (message.event == Event::Error) {
        const QString reason = message.payloadObject().value(QLatin1String("reason")).toString();
        onError(reason.isEmpty() ? QString(Event::Error) : reason);
    } else {
        emit messageReceived(message.event, message.payloadObject());
    }
}

void PhoenixChannel::onError(const QString &reason)
{
    qCDebug(lcClient) << "channel error" << m_topic << reason;
    if (isJoining())
        m_joinPush->reset();
    setState(State::Errored);
    if (m_socket->isConnected())
        scheduleRejoin();
    emit errored(reason);
}

void PhoenixChannel::bindReply(const QString &ref, std::shared_ptr<PhoenixPush> push)
{
    m_replyBindings.insert(ref, std::move(push));
}

void PhoenixChannel::unbindReply(const QString &ref, const PhoenixPush *push)
{
    const auto it = m_replyBindings.find(ref);
    if (it != m_replyBindings.end() && it.value().get() == push)
        m_replyBindings.erase(it);
}

bool PhoenixChannel::isBound(const QString &ref, const PhoenixPush *push) const
{
    const auto it = m_replyBindings.constFind(ref);
    return it != m_replyBindings.cend() && it.value().get() == push;
}

int PhoenixChannel::startPushTimer(int ms, const std::shared_ptr<PhoenixPush> &push)
{
    const int id = startTimer(ms, Qt::PreciseTimer);
    m_pushTimers.insert(id, push);
    return id;
}

void PhoenixChannel::stopPushTimer(int timerId)
{
    killTimer(timerId);
    m_pushTimers.remove(timerId);
}

void PhoenixChannel::timerEvent(QTimerEvent *event)
{
    const auto it = m_pushTimers.constFind(event->timerId());
    if (it == m_pushTimers.cend())
        return QObject::timerEvent(event);
    const std::shared_ptr<PhoenixPush> push = it.value().lock();
    stopPushTimer(event->timerId());
    if (push) {
        push->m_timerId = 0;
        push->trigger(QStringLiteral("timeout"), QJsonObject());
    }
}

void PhoenixChannel::rejoin(int timeoutMs)
{
    if (isLeaving())
        return;
    m_socket->leaveOpenTopic(m_topic, this);
    setState(State::Joining);
    m_joinPush->resend(effectiveTimeout(timeoutMs));
}

void PhoenixChannel::onJoinReply(const QString &status, const QJsonObject &response)
{
    if (status == QLatin1String("ok")) {
        setState(State::Joined);
        m_rejoinTimer.reset();
        const auto buffered = std::exchange(m_pushBuffer, {});
        for (const std::shared_ptr<PhoenixPush> &push : buffered)
            push->send();
        emit joined(response);
    } else if (status == QLatin1String("error")) {
        qCInfo(lcClient) << "join of" << m_topic << "refused:" << response;
        setState(State::Errored);
        if (m_socket->isConnected())
            scheduleRejoin();
        emit joinFailed(response);
    } else if (status == QLatin1String("timeout")) {
        qCInfo(lcClient) << "join of" << m_topic << "timed out";
        auto leavePush = std::make_shared<PhoenixPush>(
            this, Event::Leave, [] { return QJsonObject(); }, effectiveTimeout(-1));
        leavePush->send();
        setState(State::Errored);
        m_joinPush->reset();
        if (m_socket->isConnected())
            scheduleRejoin();
        emit joinTimedOut();
    }
}

void PhoenixChannel::onClose()
{
    qCDebug(lcClient) << "channel closed" << m_topic << joinRef();
    m_rejoinTimer.reset();
    setState(State::Closed);
    m_socket->removeChannel(this);
    emit closed();
}

void PhoenixChannel::rejoinIn(int ms)
{
    if (!m_rejoinTimer.isActive())
        return;
    m_rejoinTimer.scheduleIn(ms);
    emit rejoinScheduled(ms);
}

void PhoenixChannel::scheduleRejoin()
{
    emit rejoinScheduled(m_rejoinTimer.scheduleTimeout());
}

bool PhoenixChannel::canPush() const
{
    return m_socket->isConnected() && isJoined();
}

int PhoenixChannel::effectiveTimeout(int timeoutMs) const
{
    if (timeoutMs >= 0)
        return timeoutMs;
    if (m_timeoutMs >= 0)
        return m_timeoutMs;
    return m_socket->timings().pushTimeoutMs;
}

void PhoenixChannel::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

} // namespace Parley::Client
