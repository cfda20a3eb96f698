#pragma once

#include <QtGlobal>

namespace Parley::Hub {

// Token bucket per connection: `rate` events per second sustained, bursts of 2 x rate.
// A plain value; the clock is passed in (milliseconds, monotonic) so tests need no waiting.
class RateLimiter
{
public:
    explicit RateLimiter(int rate = 30) { setRate(rate); }

    void setRate(int rate);
    bool isEnabled() const { return m_rate > 0; }
    // Takes one token; false if the bucket is empty (the event must be refused).
    bool tryAcquire(qint64 nowMs);
    // How long until one token is back.
    qint64 retryAfterMs(qint64 nowMs) const;
    // Since when the connection has been flooding: events refused with less than floodQuietMs
    // between one refusal and the next, whatever passed in between. -1 once an event passes
    // after a quiet spell.
    qint64 floodingSinceMs() const { return m_floodingSince; }
    static constexpr qint64 floodQuietMs = 1000;

private:
    void refill(qint64 nowMs);

    double m_tokens = 0;
    int m_rate = 0;
    int m_burst = 0;
    qint64 m_lastMs = -1;
    qint64 m_floodingSince = -1;
    qint64 m_lastRefusedMs = -1;
};

} // namespace Parley::Hub
