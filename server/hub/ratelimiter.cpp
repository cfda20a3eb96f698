#include "hub/ratelimiter.h"

#include <algorithm>

namespace Parley::Hub {

void RateLimiter::setRate(int rate)
{
    m_rate = std::max(rate, 0);
    m_bucket.configure(2.0 * m_rate, m_rate);
}

bool RateLimiter::tryAcquire(qint64 nowMs)
{
    if (!isEnabled())
        return true;
    // A flood ends only after a quiet spell: a flooder that gets the odd event through as the
    // tokens trickle back is still flooding, or it could never be closed for it.
    const bool quiet = m_lastRefusedMs < 0 || nowMs - m_lastRefusedMs >= floodQuietMs;
    if (m_bucket.tryTake(1, nowMs)) {
        if (quiet)
            m_floodingSince = -1;
        return true;
    }
    if (m_floodingSince < 0 || quiet)
        m_floodingSince = nowMs;
    m_lastRefusedMs = nowMs;
    return false;
}

qint64 RateLimiter::retryAfterMs(qint64 nowMs) const
{
    return m_bucket.retryAfterMs(1, nowMs);
}

} // namespace Parley::Hub
