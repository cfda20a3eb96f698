#pragma once

#include "client/backofftimer.h"
#include "protocol/message.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace Parley::Client {

class PhoenixPush;
class PhoenixSocket;

// One topic joined over a PhoenixSocket, behaving like phoenix.js's Channel: join with params
// re-evaluated on every (re)join, rejoin on errors (1 s, 2 s, 5 s, then every 10 s while the
// socket is open, at once after a reconnect), pushes with reply callbacks and timeouts,
// buffering of pushes until joined, and dropping of frames from an older join (stale join_ref).
// Created and owned by PhoenixSocket::channel(); same thread as the socket. A channel is
// single-use: after leave() or a server phx_close it is closed for good (make a new one).
class PhoenixChannel : public QObject
{
    Q_OBJECT
public:
    enum class State { Closed, Errored, Joined, Joining, Leaving };
    Q_ENUM(State)

    using ParamsProvider = std::function<QJsonObject()>;
    // status is "ok", "error" (the hub's replies) or "timeout" (made locally).
    using ReplyCallback = std::function<void(const QString &status, const QJsonObject &response)>;

    ~PhoenixChannel() override;

    QString topic() const { return m_topic; }
    PhoenixSocket *socket() const { return m_socket; }
    State state() const { return m_state; }
    // The ref of the current join push; empty before the first join and while a rejoin waits.
    QString joinRef() const;
    bool isClosed() const { return m_state == State::Closed; }
    bool isErrored() const { return m_state == State::Errored; }
    bool isJoined() const { return m_state == State::Joined; }
    bool isJoining() const { return m_state == State::Joining; }
    bool isLeaving() const { return m_state == State::Leaving; }

    void setParamsProvider(ParamsProvider params) { m_params = std::move(params); }

    // Joins; allowed once per channel (returns false, and does nothing, on a second call).
    // timeoutMs < 0: the socket's Timings::pushTimeoutMs. It also becomes the channel default.
    bool join(int timeoutMs = -1);
    // Sends event now if joined and the socket is open, else buffers it (its timeout already
    // running) until the join succeeds. callback gets exactly one of ok / error / timeout.
    void push(const QString &event, const QJsonObject &payload = {}, ReplyCallback callback = {},
              int timeoutMs = -1);
    // As above; callback is skipped if context was destroyed meanwhile.
    void push(const QString &event, const QJsonObject &payload, const QObject *context,
              ReplyCallback callback, int timeoutMs = -1);
    // Sends phx_leave and closes locally at once (closed() is emitted before this returns).
    // The rejoin after a refused join comes in `ms` instead of on the schedule (the hub said
    // when: a rate_limited refusal's retry_after_ms). Only while a rejoin is scheduled.
    void rejoinIn(int ms);
    void leave(int timeoutMs = -1);

signals:
    void stateChanged(Parley::Client::PhoenixChannel::State state);
    void joined(const QJsonObject &response);
    void joinFailed(const QJsonObject &response); // an error reply to the join; a rejoin follows
    void joinTimedOut(); // no join reply in time; phx_leave sent, a rejoin follows
    // Every non-reserved event (presence_state, new_msg, ...) of the current join.
    void messageReceived(const QString &event, const QJsonObject &payload);
    void closed();
    // The channel went errored: "connection_closed", "connection_error", "heartbeat_timeout"
    // (transport) or the reason of a phx_error (e.g. "channel_crash").
    void errored(const QString &reason);
    void rejoinScheduled(int ms);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    friend class PhoenixSocket;
    friend class PhoenixPush;

    PhoenixChannel(const QString &topic, ParamsProvider params, PhoenixSocket *socket);

    // Socket side.
    bool isMember(const QString &topic, const QJsonValue &joinRef) const;
    void trigger(const Protocol::Message &message);
    void onError(const QString &reason);
    // Push side.
    void bindReply(const QString &ref, std::shared_ptr<PhoenixPush> push);
    void unbindReply(const QString &ref, const PhoenixPush *push);
    bool isBound(const QString &ref, const PhoenixPush *push) const;
    int startPushTimer(int ms, const std::shared_ptr<PhoenixPush> &push);
    void stopPushTimer(int timerId);

    void rejoin(int timeoutMs = -1);
    void onJoinReply(const QString &status, const QJsonObject &response);
    void onClose();
    void scheduleRejoin();
    bool canPush() const;
    int effectiveTimeout(int timeoutMs) const;
    void setState(State state);

    PhoenixSocket *m_socket;
    QString m_topic;
    ParamsProvider m_params;
    State m_state = State::Closed;
    bool m_joinedOnce = false;
    int m_timeoutMs = -1;
    std::shared_ptr<PhoenixPush> m_joinPush;
    QList<std::shared_ptr<PhoenixPush>> m_pushBuffer;
    QHash<QString, std::shared_ptr<PhoenixPush>> m_replyBindings; // ref → push awaiting a reply
    QHash<int, std::weak_ptr<PhoenixPush>> m_pushTimers; // timer id → push
    BackoffTimer m_rejoinTimer;
};

} // namespace Parley::Client
