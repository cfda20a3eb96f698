#include "hub/tokenbucket.h"

#include <algorithm>
#include <cmath>

namespace Parley::Hub {

void TokenBucket::configure(double capacity, double perSecond)
{
    m_capacity = std::max(capacity, 0.0);
    m_perSecond = std::max(perSecond, 0.0);
    m_level = m_capacity;
    m_lastMs = -1;
}

double TokenBucket::level(qint64 nowMs) const
{
    if (m_lastMs < 0 || nowMs <= m_lastMs)
        return m_level;
    return std::min(m_capacity, m_level + double(nowMs - m_lastMs) * m_perSecond / 1000.0);
}

void TokenBucket::refill(qint64 nowMs)
{
    m_level = level(nowMs);
    m_lastMs = std::max(m_lastMs, nowMs);
}

bool TokenBucket::tryTake(double tokens, qint64 nowMs)
{
    if (!isLimited())
        return true;
    refill(nowMs);
    if (m_level < tokens)
        return false;
    m_level -= tokens;
    return true;
}

void TokenBucket::spend(double tokens, qint64 nowMs)
{
    if (!isLimited())
        return;
    refill(nowMs);
    m_level -= tokens;
}

void TokenBucket::giveBack(double tokens, qint64 nowMs)
{
    if (!isLimited())
        return;
    refill(nowMs);
    m_level = std::min(m_capacity, m_level + tokens);
}

qint64 TokenBucket::retryAfterMs(double tokens, qint64 nowMs) const
{
    if (!isLimited())
        return 0;
    const double missing = tokens - level(nowMs);
    if (missing <= 0)
        return 0;
    return qint64(std::ceil(missing * 1000.0 / m_perSecond));
}

} // namespace Parley::Hub
