#pragma once

#include <QtGlobal>

namespace Parley::Hub {

// Tokens that come back at `perSecond`, up to `capacity`: a rate with a burst. Two ways to take:
// tryTake() only when enough is there (a password guess), spend() afterwards, when what was
// used is known only once it is done (the bytes a join wrote), which may leave a debt that
// refills before anything is allowed again. A plain value; the caller passes the time
// (monotonic ms), so tests need no waiting. A zero rate means no limit.
class TokenBucket
{
public:
    TokenBucket() = default;
    TokenBucket(double capacity, double perSecond) { configure(capacity, perSecond); }

    void configure(double capacity, double perSecond);
    bool isLimited() const { return m_perSecond > 0; }
    double level(qint64 nowMs) const;

    // Takes `tokens` if that many are there; false (nothing taken) otherwise.
    bool tryTake(double tokens, qint64 nowMs);
    // Takes `tokens` whatever is there: the level may go below zero.
    void spend(double tokens, qint64 nowMs);
    // Puts back what tryTake() took for something that turned out not to count.
    void giveBack(double tokens, qint64 nowMs);
    // Milliseconds until `tokens` are there (0: now).
    qint64 retryAfterMs(double tokens, qint64 nowMs) const;
    // Full again (nothing owed, nothing spent lately): a record of it can be forgotten.
    bool isFull(qint64 nowMs) const { return !isLimited() || level(nowMs) >= m_capacity; }

private:
    void refill(qint64 nowMs);

    double m_capacity = 0;
    double m_perSecond = 0;
    double m_level = 0;
    qint64 m_lastMs = -1;
};

} // namespace Parley::Hub
