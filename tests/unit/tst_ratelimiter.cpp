// The per-connection token bucket, driven by an injected clock (no waiting): burst of 2 x rate,
// refill, retry_after_ms, when flooding starts and ends, and rate 0 turning the limit off.

#include "hub/ratelimiter.h"

#include <QTest>

using Parley::Hub::RateLimiter;

namespace {

constexpr qint64 t0 = 100'000; // an arbitrary monotonic start

// Acquires until refused (at most `limit` times) at one instant; returns how many passed.
int drainAt(RateLimiter &limiter, qint64 nowMs, int limit = 100'000)
{
    int passed = 0;
    while (passed < limit && limiter.tryAcquire(nowMs))
        ++passed;
    return passed;
}

// Takes exactly `count` tokens at one instant; false if one was refused.
bool take(RateLimiter &limiter, qint64 nowMs, int count)
{
    for (int i = 0; i < count; ++i) {
        if (!limiter.tryAcquire(nowMs))
            return false;
    }
    return true;
}

} // namespace

class tst_RateLimiter : public QObject
{
    Q_OBJECT

private slots:
    void burstIsTwiceTheRate_data();
    void burstIsTwiceTheRate();
    void refillsAtTheRate();
    void refillNeverExceedsTheBurst();
    void retryAfterIsTimeToNextToken_data();
    void retryAfterIsTimeToNextToken();
    void retryAfterCountsDown();
    void floodingStartsAtFirstRefusal();
    void tricklingThroughTheLimitIsStillFlooding();
    void quietSecondEndsFlooding();
    void floodAfterQuietSpellStartsAnew();
    void rateZeroTurnsTheLimitOff_data();
    void rateZeroTurnsTheLimitOff();
    void setRateRefillsTheBucket();
    void clockGoingBackwardsGivesNoTokens();
};

void tst_RateLimiter::burstIsTwiceTheRate_data()
{
    QTest::addColumn<int>("rate");

    QTest::addRow("1/s") << 1;
    QTest::addRow("5/s") << 5;
    QTest::addRow("30/s (default)") << 30;
    QTest::addRow("1000/s") << 1000;
}

void tst_RateLimiter::burstIsTwiceTheRate()
{
    QFETCH(int, rate);

    RateLimiter limiter(rate);
    QVERIFY(limiter.isEnabled());
    QCOMPARE(drainAt(limiter, t0), 2 * rate);
    QVERIFY(!limiter.tryAcquire(t0));
}

void tst_RateLimiter::refillsAtTheRate()
{
    RateLimiter limiter(5); // one token per 200 ms
    QCOMPARE(drainAt(limiter, t0), 10);
    // Partial tokens add up: 100 ms + 100 ms is one token.
    QVERIFY(!limiter.tryAcquire(t0 + 100));
    QVERIFY(limiter.tryAcquire(t0 + 200));
    QVERIFY(!limiter.tryAcquire(t0 + 200));
    QVERIFY(!limiter.tryAcquire(t0 + 300));
    QVERIFY(limiter.tryAcquire(t0 + 400));
    // One second gives exactly `rate` tokens.
    QCOMPARE(drainAt(limiter, t0 + 1400), 5);
}

void tst_RateLimiter::refillNeverExceedsTheBurst()
{
    RateLimiter limiter(5);
    QCOMPARE(drainAt(limiter, t0), 10);
    QCOMPARE(drainAt(limiter, t0 + 60'000), 10); // a minute idle refills 10, not 300
}

void tst_RateLimiter::retryAfterIsTimeToNextToken_data()
{
    QTest::addColumn<int>("rate");
    QTest::addColumn<qint64>("retryAfter");

    QTest::addRow("1/s") << 1 << qint64(1000);
    QTest::addRow("5/s") << 5 << qint64(200);
    QTest::addRow("30/s rounds up") << 30 << qint64(34);
}

void tst_RateLimiter::retryAfterIsTimeToNextToken()
{
    QFETCH(int, rate);
    QFETCH(qint64, retryAfter);

    RateLimiter limiter(rate);
    QCOMPARE(limiter.retryAfterMs(t0), qint64(0)); // full bucket
    drainAt(limiter, t0);
    QCOMPARE(limiter.retryAfterMs(t0), retryAfter);
    // Waiting exactly that long is enough.
    QVERIFY(limiter.tryAcquire(t0 + retryAfter));
}

void tst_RateLimiter::retryAfterCountsDown()
{
    RateLimiter limiter(5);
    drainAt(limiter, t0);
    QCOMPARE(limiter.retryAfterMs(t0 + 100), qint64(100));
    QCOMPARE(limiter.retryAfterMs(t0 + 150), qint64(50));
    QCOMPARE(limiter.retryAfterMs(t0 + 200), qint64(0));
    // Asking does not consume anything.
    QVERIFY(limiter.tryAcquire(t0 + 200));
}

void tst_RateLimiter::floodingStartsAtFirstRefusal()
{
    RateLimiter limiter(5);
    QCOMPARE(limiter.floodingSinceMs(), qint64(-1));
    QVERIFY(take(limiter, t0, 10));
    QCOMPARE(limiter.floodingSinceMs(), qint64(-1)); // nothing refused yet
    QVERIFY(!limiter.tryAcquire(t0 + 10));
    QCOMPARE(limiter.floodingSinceMs(), t0 + 10);
    QVERIFY(!limiter.tryAcquire(t0 + 50));
    QCOMPARE(limiter.floodingSinceMs(), t0 + 10);
}

void tst_RateLimiter::tricklingThroughTheLimitIsStillFlooding()
{
    // A client sending 100/s against 5/s gets one event through every 200 ms; it is flooding
    // all along, so the hub can close it after floodCloseMs.
    RateLimiter limiter(5);
    QVERIFY(take(limiter, t0, 10));
    int passed = 0;
    // 12.1 s: 60 tokens come back, the 61st would need 12.2 s.
    for (qint64 now = t0 + 10; now <= t0 + 12'100; now += 10) {
        if (limiter.tryAcquire(now))
            ++passed;
        QCOMPARE(limiter.floodingSinceMs(), t0 + 10);
    }
    QCOMPARE(passed, 60); // the sustained rate still gets through
}

void tst_RateLimiter::quietSecondEndsFlooding()
{
    RateLimiter limiter(5);
    drainAt(limiter, t0);
    QVERIFY(!limiter.tryAcquire(t0));
    QCOMPARE(limiter.floodingSinceMs(), t0);
    // Accepted, but less than a second after the last refusal: still flooding.
    QVERIFY(limiter.tryAcquire(t0 + 999));
    QCOMPARE(limiter.floodingSinceMs(), t0);
    // A full second without a refusal: the flood is over.
    QVERIFY(limiter.tryAcquire(t0 + 1000));
    QCOMPARE(limiter.floodingSinceMs(), qint64(-1));
}

void tst_RateLimiter::floodAfterQuietSpellStartsAnew()
{
    RateLimiter limiter(1); // burst 2
    QVERIFY(take(limiter, t0, 2));
    QVERIFY(!limiter.tryAcquire(t0));
    QCOMPARE(limiter.floodingSinceMs(), t0);
    // Nothing at all for 5 s, then a new burst: the flood clock restarts.
    const qint64 later = t0 + 5000;
    QVERIFY(take(limiter, later, 2));
    QCOMPARE(limiter.floodingSinceMs(), qint64(-1));
    QVERIFY(!limiter.tryAcquire(later));
    QCOMPARE(limiter.floodingSinceMs(), later);
}

void tst_RateLimiter::rateZeroTurnsTheLimitOff_data()
{
    QTest::addColumn<int>("rate");

    QTest::addRow("0") << 0;
    QTest::addRow("negative") << -5;
}

void tst_RateLimiter::rateZeroTurnsTheLimitOff()
{
    QFETCH(int, rate);

    RateLimiter limiter(rate);
    QVERIFY(!limiter.isEnabled());
    QCOMPARE(drainAt(limiter, t0, 10'000), 10'000);
    QCOMPARE(limiter.retryAfterMs(t0), qint64(0));
    QCOMPARE(limiter.floodingSinceMs(), qint64(-1));

    // And a limited bucket can be switched off.
    RateLimiter limited(5);
    drainAt(limited, t0);
    QVERIFY(!limited.tryAcquire(t0));
    limited.setRate(rate);
    QCOMPARE(drainAt(limited, t0, 1000), 1000);
}

void tst_RateLimiter::setRateRefillsTheBucket()
{
    RateLimiter limiter(5);
    drainAt(limiter, t0);
    limiter.setRate(2);
    QCOMPARE(drainAt(limiter, t0), 4);
}

void tst_RateLimiter::clockGoingBackwardsGivesNoTokens()
{
    RateLimiter limiter(5);
    drainAt(limiter, t0);
    QVERIFY(!limiter.tryAcquire(t0 - 10'000));
    // Time is measured from the latest instant seen, so a later call refills from t0.
    QVERIFY(!limiter.tryAcquire(t0 + 100));
    QVERIFY(limiter.tryAcquire(t0 + 200));
}

QTEST_APPLESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
