#pragma once

#include <QJsonObject>
#include <QString>

#include <functional>
#include <memory>

namespace Parley::Client {

class PhoenixChannel;

// A port of phoenix.js Push: one outgoing request on a channel and the wait for its reply.
// Every send takes a fresh ref; the timeout starts with the send (or when the push is buffered)
// and delivers status "timeout". Internal to PhoenixChannel, which owns every push (shared_ptr:
// the join push, the push buffer, and the table of refs awaiting a reply).
class PhoenixPush : public std::enable_shared_from_this<PhoenixPush>
{
public:
    using Handler = std::function<void(const QString &status, const QJsonObject &response)>;

    PhoenixPush(PhoenixChannel *channel, const QString &event, std::function<QJsonObject()> payload,
                int timeoutMs);

    void setHandler(Handler handler) { m_handler = std::move(handler); }
    QString event() const { return m_event; }
    QString ref() const { return m_ref; } // empty before the first send and after reset()
    bool hasReceived(const QString &status) const;

    // Sends with a fresh ref and timeout; a push that already timed out is never sent.
    void send();
    void resend(int timeoutMs);
    // Takes a fresh ref and (re)starts the timeout without sending (buffered pushes).
    void startTimeout();
    void cancelTimeout();
    // Forgets the ref and any reply, so a late reply or timeout is ignored.
    void reset();
    // Delivers a reply (or "timeout") if the push still waits for one under its ref.
    void trigger(const QString &status, const QJsonObject &response);

private:
    friend class PhoenixChannel;
    void deliver(const QString &status, const QJsonObject &response); // called by the channel
    void cancelRefEvent();

    PhoenixChannel *m_channel;
    QString m_event;
    std::function<QJsonObject()> m_payload;
    int m_timeoutMs;
    Handler m_handler;
    QString m_ref;
    QString m_receivedStatus;
    int m_timerId = 0;
};

} // namespace Parley::Client
