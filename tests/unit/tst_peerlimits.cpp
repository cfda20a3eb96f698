// What the hub allows one peer address (PeerLimits, docs/protocol.md "Limits") and the token
// bucket under it, with the clock passed in: password guesses (a burst, then the rate; a right
// password is free; checks under way are capped), connections per address, rooms per hour,
// and the join output that may run into debt. Nothing here waits.

#include "hub/hubsettings.h"
#include "hub/peerlimits.h"
#include "hub/tokenbucket.h"

#include <QTest>

using namespace Parley::Hub;

class tst_PeerLimits : public QObject
{
    Q_OBJECT
private slots:
    void bucketTakesRefillsAndOwes();
    void guessesBurstThenOneASecondAndRightOnesAreFree();
    void checksUnderWayAreCappedPerAddress();
    void addressesAreCountedApartAndMappedV4IsV4();
    void connectionsPerAddress();
    void roomsPerHourAndOutputDebt();
    void idleRecordsAreForgotten();
};

void tst_PeerLimits::bucketTakesRefillsAndOwes()
{
    TokenBucket bucket(5, 1); // 5 at once, then 1 a second
    for (int i = 0; i < 5; ++i)
        QVERIFY(bucket.tryTake(1, 1000));
    QVERIFY(!bucket.tryTake(1, 1000));
    QCOMPARE(bucket.retryAfterMs(1, 1000), 1000);
    QCOMPARE(bucket.retryAfterMs(1, 1600), 400);
    QVERIFY(bucket.tryTake(1, 2000));
    QVERIFY(!bucket.tryTake(1, 2000));
    bucket.giveBack(1, 2000);
    QVERIFY(bucket.tryTake(1, 2000));
    QVERIFY(bucket.isFull(2000 + 5000));
    // spend() may owe: nothing is allowed until the debt is paid back.
    TokenBucket bytes(100, 100);
    bytes.spend(350, 0);
    QCOMPARE(bytes.level(0), -250.0);
    QCOMPARE(bytes.retryAfterMs(1, 0), 2510);
    QVERIFY(!bytes.tryTake(1, 2000));
    QVERIFY(bytes.tryTake(1, 2600));
    // A zero rate is no limit.
    TokenBucket off(0, 0);
    QVERIFY(off.tryTake(1'000'000, 0));
    QCOMPARE(off.retryAfterMs(1'000'000, 0), 0);
}

void tst_PeerLimits::guessesBurstThenOneASecondAndRightOnesAreFree()
{
    HubSettings settings;
    settings.passwordChecksPerAddress = 100; // only the rate here
    PeerLimits limits(settings);
    const QHostAddress guesser(QStringLiteral("10.77.0.9"));
    for (int i = 0; i < settings.passwordGuessBurst; ++i) {
        QCOMPARE(limits.startGuess(guesser, 1000), 0);
        limits.guessEnded(guesser, false, 1000);
    }
    const qint64 wait = limits.startGuess(guesser, 1000);
    QCOMPARE(wait, 1000);
    QCOMPARE(limits.startGuess(guesser, 1000 + wait), 0);
    limits.guessEnded(guesser, false, 2000);
    // A right password gives its guess back: a user who types it right is never held back.
    QCOMPARE(limits.startGuess(guesser, 3000), 0);
    limits.guessEnded(guesser, true, 3000);
    QCOMPARE(limits.startGuess(guesser, 3000), 0);
    limits.guessEnded(guesser, true, 3000);
    // Over ten seconds of trying as fast as possible: the burst and one a second, no more.
    PeerLimits fresh(settings);
    int checks = 0;
    for (qint64 t = 0; t <= 10'000; t += 10) {
        if (fresh.startGuess(guesser, t) == 0) {
            ++checks;
            fresh.guessEnded(guesser, false, t);
        }
    }
    QCOMPARE(checks, settings.passwordGuessBurst + 10);
}

void tst_PeerLimits::checksUnderWayAreCappedPerAddress()
{
    HubSettings settings;
    PeerLimits limits(settings);
    const QHostAddress guesser(QStringLiteral("10.77.0.9"));
    for (int i = 0; i < settings.passwordChecksPerAddress; ++i)
        QCOMPARE(limits.startGuess(guesser, 0), 0);
    QCOMPARE(limits.checksUnderWay(guesser), settings.passwordChecksPerAddress);
    QVERIFY(limits.startGuess(guesser, 0) > 0); // refused, not queued
    QCOMPARE(limits.checksUnderWay(guesser), settings.passwordChecksPerAddress);
    limits.guessEnded(guesser, false, 0);
    QCOMPARE(limits.startGuess(guesser, 0), 0);
}

void tst_PeerLimits::addressesAreCountedApartAndMappedV4IsV4()
{
    HubSettings settings;
    PeerLimits limits(settings);
    const QHostAddress a(QStringLiteral("127.0.0.1"));
    const QHostAddress mapped(QStringLiteral("::ffff:127.0.0.1"));
    const QHostAddress b(QStringLiteral("127.0.0.2"));
    for (int i = 0; i < settings.passwordGuessBurst; ++i) {
        QCOMPARE(limits.startGuess(i % 2 ? mapped : a, 0), 0);
        limits.guessEnded(a, false, 0);
    }
    QVERIFY(limits.startGuess(mapped, 0) > 0);
    QCOMPARE(limits.startGuess(b, 0), 0);
    QCOMPARE(PeerLimits::normalized(mapped), a);
    // An IPv6 host may use any address of its /64: the /64 counts as one address.
    QCOMPARE(PeerLimits::normalized(QHostAddress(QStringLiteral("fe80::1:2:3:4"))),
             PeerLimits::normalized(QHostAddress(QStringLiteral("fe80::99"))));
    QCOMPARE(PeerLimits::normalized(QHostAddress(QStringLiteral("2001:db8:0:7:a:b:c:d"))),
             QHostAddress(QStringLiteral("2001:db8:0:7::")));
    QVERIFY(PeerLimits::normalized(QHostAddress(QStringLiteral("2001:db8:0:7::1")))
            != PeerLimits::normalized(QHostAddress(QStringLiteral("2001:db8:0:8::1"))));
}

void tst_PeerLimits::connectionsPerAddress()
{
    HubSettings settings;
    settings.maxConnectionsPerAddress = 3;
    PeerLimits limits(settings);
    const QHostAddress a(QStringLiteral("10.77.0.2"));
    for (int i = 0; i < 3; ++i) {
        QVERIFY(limits.mayOpen(a));
        limits.opened(a);
    }
    QVERIFY(!limits.mayOpen(a));
    QVERIFY(limits.mayOpen(QHostAddress(QStringLiteral("10.77.0.3"))));
    limits.closed(a);
    QVERIFY(limits.mayOpen(a));
    settings.maxConnectionsPerAddress = 0; // no limit
    limits.opened(a);
    limits.opened(a);
    QVERIFY(limits.mayOpen(a));
}

void tst_PeerLimits::roomsPerHourAndOutputDebt()
{
    HubSettings settings;
    settings.roomsPerHour = 3;
    settings.joinBytesPerSecond = 1000;
    PeerLimits limits(settings);
    const QHostAddress a(QStringLiteral("10.77.0.2"));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(limits.startRoom(a, 0), 0);
    QCOMPARE(limits.startRoom(a, 0), 1'200'000); // a third of an hour: the rate is 3 an hour
    limits.roomNotMade(a, 0);
    QCOMPARE(limits.startRoom(a, 0), 0);
    // The address may be sent four times a connection's rate, in bursts of four seconds.
    QCOMPARE(limits.outputRetryAfterMs(a, 0), 0);
    limits.outputSent(a, 20'000, 0); // 16,000 allowed at once: 4,000 owed
    QCOMPARE(limits.outputRetryAfterMs(a, 0), 1001);
    QCOMPARE(limits.outputRetryAfterMs(a, 1001), 0);
}

void tst_PeerLimits::idleRecordsAreForgotten()
{
    HubSettings settings;
    PeerLimits limits(settings);
    const QHostAddress a(QStringLiteral("10.77.0.2"));
    limits.opened(a);
    QCOMPARE(limits.startGuess(a, 0), 0);
    limits.guessEnded(a, false, 0);
    limits.forgetIdle(0);
    QCOMPARE(limits.size(), 1); // a connection open, a guess not yet back
    limits.closed(a);
    limits.forgetIdle(500);
    QCOMPARE(limits.size(), 1); // the guess comes back after a second
    limits.forgetIdle(1000);
    QCOMPARE(limits.size(), 0);
}

QTEST_MAIN(tst_PeerLimits)
#include "tst_peerlimits.moc"
