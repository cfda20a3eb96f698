#include "hub/ratelimiter.h"

#include <algorithm>
#include <cmath>

namespace Parley::Hub {

void RateLimiter::setRate(int rate)
{
    m_rate = std::max(rate, 0);
    m_burst = 2 * m_rate;
    m_tokens = m_burst;
}

void RateLimiter::refill(qint64 nowMs)
{
    if (m_lastMs >= 0 && nowMs > m_lastMs)
        m_tokens = std::min<double>(m_burst, m_tokens + (nowMs - m_lastMs) * m_rate / 1000.0);
    m_lastMs = std::max(m_lastMs, nowMs);
}

bool RateLimiter::tryAcquire(qint64 nowMs)
{
    if (!isEnabled())
        return true;
    refill(nowMs);
    // A flood ends only after a quiet spell: a flooder that gets the odd event through as the
    // tokens trickle back is still flooding, or it could never be closed for it.
    const bool quiet = m_lastRefusedMs < 0 || nowMs - m_lastRefusedMs >= floodQuietMs;
    if (m_tokens >= 1.0) {
        m_tokens -= 1.0;
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
    if (!isEnabled())
        return 0;
    double tokens = m_tokens;
    if (m_lastMs >= 0 && nowMs > m_lastMs)
        tokens = std::min<double>(m_burst, tokens + (nowMs - m_lastMs) * m_rate / 1000.0);
    if (tokens >= 1.0)
        return 0;
    return qint64(std::ceil((1.0 - tokens) * 1000.0 / m_rate));
}

} // namespace Parley::Hub
