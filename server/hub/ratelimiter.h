#pragma once

#include "hub/tokenbucket.h"

#include <QtGlobal>

namespace Parley::Hub {

// The events of one connection: a TokenBucket of `rate` events per second sustained, bursts of
// 2 x rate, and how long the connection has been flooding.
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
    TokenBucket m_bucket;
    int m_rate = 0;
    qint64 m_floodingSince = -1;
    qint64 m_lastRefusedMs = -1;
};

} // namespace Parley::Hub
