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
    if (m_tokens >= 1.0) {
        m_tokens -= 1.0;
        m_floodingSince = -1;
        return true;
    }
    if (m_floodingSince < 0)
        m_floodingSince = nowMs;
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
