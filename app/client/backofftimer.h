#pragma once

#include <QTimer>

#include <functional>

namespace Parley::Client {

// A port of phoenix.js Timer: a single-shot timer whose delay comes from a schedule indexed by
// the number of tries so far (1-based). scheduleTimeout() arms it with schedule(tries + 1); the
// try counter grows when it fires and goes back to 0 on reset(). Used for the socket's reconnect
// backoff and each channel's rejoin schedule. Plain member of its owner, same thread.
class BackoffTimer
{
public:
    using Schedule = std::function<int(int tries)>;

    BackoffTimer(std::function<void()> callback, Schedule schedule);

    // Cancels a pending timeout and forgets the tries.
    void reset();
    // Arms the timer with the delay of the next try; returns that delay in ms.
    int scheduleTimeout();
    // Arms the timer with a fixed delay; the try counter still advances when it fires.
    void scheduleIn(int ms);
    // Cancels a pending timeout but keeps the tries.
    void cancel() { m_timer.stop(); }

    bool isActive() const { return m_timer.isActive(); }
    int remainingTime() const { return m_timer.isActive() ? m_timer.remainingTime() : -1; }
    int tries() const { return m_tries; }

private:
    QTimer m_timer;
    std::function<void()> m_callback;
    Schedule m_schedule;
    int m_tries = 0;
};

} // namespace Parley::Client
