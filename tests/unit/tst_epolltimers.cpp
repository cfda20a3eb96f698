// EpollEventDispatcher without sockets in the foreground: which dispatcher each thread runs on,
// timers (order, cadence, single shot, bookkeeping) and waking, interrupting and quitting a loop.

#include "epolltesthelpers.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>

using namespace EpollTest;

class TestEpollTimers : public QObject
{
    Q_OBJECT
private slots:
    void mainThreadRunsOnEpollDispatcher();
    void workerThreadRunsOnEpollDispatcher();

    void repeatingTimerFiresRepeatedly_data();
    void repeatingTimerFiresRepeatedly();
    void singleShotTimerFiresOnce_data();
    void singleShotTimerFiresOnce();
    void timersFireInOrderOfTheirIntervals_data();
    void timersFireInOrderOfTheirIntervals();
    void timerStoppedByEarlierHandlerDoesNotFire_data();
    void timerStoppedByEarlierHandlerDoesNotFire();
    void zeroIntervalTimerFiresOncePerIteration();
    void lateTimerSkipsMissedIntervalsInsteadOfBursting();
    void registeredTimersAndRemainingTimeDescribeTimer_data();
    void registeredTimersAndRemainingTimeDescribeTimer();
    void timerFollowsItsObjectToAnotherThread();

    void otherThreadWakesBlockedLoop_data();
    void otherThreadWakesBlockedLoop();
    void idleLoopBlocksInsteadOfSpinning();
    void deleteLaterFromAnotherThreadDeletesOnWorker();
    void interruptEndsBlockingProcessEvents_data();
    void interruptEndsBlockingProcessEvents();
    void threadQuitStopsLoop_data();
    void threadQuitStopsLoop();
};

void TestEpollTimers::mainThreadRunsOnEpollDispatcher()
{
    QCOMPARE(QCoreApplication::instance()->thread()->eventDispatcher()->metaObject()->className(),
             "Parley::Hub::EpollEventDispatcher");
}

void TestEpollTimers::workerThreadRunsOnEpollDispatcher()
{
    DispatcherThread worker;
    const QByteArray className
        = worker.run([] { return QByteArray(currentDispatcher()->metaObject()->className()); });
    QCOMPARE(className, "Parley::Hub::EpollEventDispatcher");
    QCOMPARE(worker.thread()->eventDispatcher(), worker.dispatcher());
}

void TestEpollTimers::repeatingTimerFiresRepeatedly_data()
{
    QTest::addColumn<Qt::TimerType>("type");
    QTest::addColumn<int>("interval");
    QTest::addColumn<int>("wanted");
    QTest::addRow("precise 5 ms") << Qt::PreciseTimer << 5 << 20;
    QTest::addRow("coarse 10 ms") << Qt::CoarseTimer << 10 << 10;
    QTest::addRow("coarse 50 ms") << Qt::CoarseTimer << 50 << 4;
    QTest::addRow("very coarse 1 s") << Qt::VeryCoarseTimer << 1000 << 2;
}

void TestEpollTimers::repeatingTimerFiresRepeatedly()
{
    QFETCH(Qt::TimerType, type);
    QFETCH(int, interval);
    QFETCH(int, wanted);

    QTimer timer;
    timer.setTimerType(type);
    timer.setInterval(interval);
    QList<qint64> firedAt;
    QElapsedTimer clock;
    connect(&timer, &QTimer::timeout, this, [&] { firedAt.append(clock.elapsed()); });
    clock.start();
    timer.start();

    QTRY_VERIFY_WITH_TIMEOUT(firedAt.size() >= wanted, WaitMs);
    QVERIFY(timer.isActive());
    if (type != Qt::VeryCoarseTimer) { // very coarse ones fire on whole seconds
        QVERIFY2(firedAt.first() >= interval, qPrintable(QString::number(firedAt.first())));
        QVERIFY(firedAt.at(wanted - 1) >= qint64(interval) * wanted);
    }
}

void TestEpollTimers::singleShotTimerFiresOnce_data()
{
    QTest::addColumn<bool>("useStaticSingleShot");
    QTest::addRow("QTimer::singleShot()") << true;
    QTest::addRow("single-shot QTimer") << false;
}

void TestEpollTimers::singleShotTimerFiresOnce()
{
    QFETCH(bool, useStaticSingleShot);

    int fired = 0;
    QTimer timer;
    if (useStaticSingleShot) {
        QTimer::singleShot(10, this, [&] { ++fired; });
    } else {
        timer.setSingleShot(true);
        timer.setInterval(10);
        connect(&timer, &QTimer::timeout, this, [&] { ++fired; });
        timer.start();
    }
    QTRY_COMPARE_WITH_TIMEOUT(fired, 1, WaitMs);

    QTimer fence; // fires well after any repetition would have
    fence.setSingleShot(true);
    QSignalSpy fenceSpy(&fence, &QTimer::timeout);
    fence.start(60);
    QVERIFY(fenceSpy.wait(WaitMs));
    QCOMPARE(fired, 1);
    QVERIFY(!timer.isActive());
}

void TestEpollTimers::timersFireInOrderOfTheirIntervals_data()
{
    QTest::addColumn<Qt::TimerType>("type");
    QTest::addRow("precise") << Qt::PreciseTimer;
    QTest::addRow("coarse") << Qt::CoarseTimer;
}

void TestEpollTimers::timersFireInOrderOfTheirIntervals()
{
    QFETCH(Qt::TimerType, type);

    const QList<int> intervals { 80, 10, 50, 20, 0, 30 };
    QList<int> order;
    for (int interval : intervals)
        QTimer::singleShot(interval, type, this, [&order, interval] { order.append(interval); });

    QTRY_COMPARE_WITH_TIMEOUT(order.size(), intervals.size(), WaitMs);
    QList<int> sorted = intervals;
    std::sort(sorted.begin(), sorted.end());
    QCOMPARE(order, sorted);
}

void TestEpollTimers::timerStoppedByEarlierHandlerDoesNotFire_data()
{
    QTest::addColumn<bool>("deleteObject");
    QTest::addRow("killTimer()") << false;
    QTest::addRow("object deleted") << true;
}

void TestEpollTimers::timerStoppedByEarlierHandlerDoesNotFire()
{
    QFETCH(bool, deleteObject);

    // Zero-interval timers are due at once, so both are in the same activation pass, and
    // whichever fires first stops the other.
    std::unique_ptr<TimerProbe> probes[2]
        = { std::make_unique<TimerProbe>(), std::make_unique<TimerProbe>() };
    int ids[2] = {};
    int fired = 0;
    for (int i = 0; i < 2; ++i) {
        probes[i]->onTimer = [&, i](int timerId) {
            ++fired;
            probes[i]->killTimer(timerId);
            TimerProbe *other = probes[1 - i].get();
            if (!other)
                return;
            if (deleteObject)
                probes[1 - i].reset();
            else
                other->killTimer(ids[1 - i]);
        };
        ids[i] = probes[i]->startTimer(0, Qt::PreciseTimer);
        QVERIFY(ids[i] > 0);
    }

    spinWithoutWaiting();
    QCOMPARE(fired, 1);
    const auto *dispatcher = currentDispatcher();
    for (int i = 0; i < 2; ++i) {
        if (probes[i])
            QVERIFY(dispatcher->registeredTimers(probes[i].get()).isEmpty());
    }
}

void TestEpollTimers::zeroIntervalTimerFiresOncePerIteration()
{
    QAbstractEventDispatcher *dispatcher = currentDispatcher();
    QTimer zero;
    zero.setInterval(0);
    int fired = 0;
    connect(&zero, &QTimer::timeout, this, [&] { ++fired; });
    zero.start();

    for (int i = 0; i < 10; ++i)
        QVERIFY(dispatcher->processEvents(QEventLoop::AllEvents));
    QCOMPARE(fired, 10);

    // A pending zero timer means there is work: waiting must not block.
    QTimer fallback;
    fallback.setSingleShot(true);
    fallback.start(WaitMs);
    QElapsedTimer clock;
    clock.start();
    dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
    QCOMPARE(fired, 11);
    QVERIFY(clock.elapsed() < WaitMs / 2);

    // ...and does not starve other timers.
    bool otherFired = false;
    QTimer::singleShot(20, this, [&] { otherFired = true; });
    QTRY_VERIFY_WITH_TIMEOUT(otherFired, WaitMs);
    QVERIFY(zero.isActive());
}

void TestEpollTimers::lateTimerSkipsMissedIntervalsInsteadOfBursting()
{
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer);
    timer.setInterval(20);
    QList<qint64> firedAt;
    qint64 stallEnd = -1;
    QElapsedTimer clock;
    connect(&timer, &QTimer::timeout, this, [&] {
        firedAt.append(clock.elapsed());
        if (firedAt.size() == 1) {
            QThread::msleep(200); // the slow handler under test: ten intervals are missed
            stallEnd = clock.elapsed();
        }
    });
    clock.start();
    timer.start();
    QTRY_VERIFY_WITH_TIMEOUT(firedAt.size() >= 5, WaitMs);

    // One late activation right after the stall (maybe two, if a period boundary is close),
    // then the normal cadence; a burst would deliver all ten missed ones at once.
    const auto soonAfterStall = std::count_if(firedAt.cbegin() + 1, firedAt.cend(),
                                              [&](qint64 at) { return at < stallEnd + 10; });
    QVERIFY2(soonAfterStall <= 2, qPrintable(QString::number(soonAfterStall)));
}

void TestEpollTimers::registeredTimersAndRemainingTimeDescribeTimer_data()
{
    QTest::addColumn<Qt::TimerType>("type");
    QTest::addColumn<int>("interval");
    QTest::addColumn<Qt::TimerType>("reportedType");
    QTest::addColumn<int>("reportedInterval");
    QTest::addColumn<int>("minRemaining");
    QTest::addColumn<int>("maxRemaining");
    QTest::addRow("precise") << Qt::PreciseTimer << 5000 << Qt::PreciseTimer << 5000 << 4000
                             << 5000;
    QTest::addRow("coarse") << Qt::CoarseTimer << 5000 << Qt::CoarseTimer << 5000 << 4000 << 5000;
    // Whole seconds: the first timeout is aligned to a second boundary, within half a second.
    QTest::addRow("very coarse, rounded")
        << Qt::VeryCoarseTimer << 2400 << Qt::VeryCoarseTimer << 2000 << 1000 << 2500;
    QTest::addRow("coarse of 20 s and more is very coarse")
        << Qt::CoarseTimer << 30000 << Qt::VeryCoarseTimer << 30000 << 29000 << 30500;
}

void TestEpollTimers::registeredTimersAndRemainingTimeDescribeTimer()
{
    QFETCH(Qt::TimerType, type);
    QFETCH(int, interval);
    QFETCH(Qt::TimerType, reportedType);
    QFETCH(int, reportedInterval);
    QFETCH(int, minRemaining);
    QFETCH(int, maxRemaining);

    QAbstractEventDispatcher *dispatcher = currentDispatcher();
    QObject object;
    const int id = object.startTimer(interval, type);
    QVERIFY(id > 0);

    const QList<QAbstractEventDispatcher::TimerInfo> timers = dispatcher->registeredTimers(&object);
    QCOMPARE(timers.size(), 1);
    QCOMPARE(timers.first().timerId, id);
    QCOMPARE(timers.first().interval, reportedInterval);
    QCOMPARE(timers.first().timerType, reportedType);
    const int remaining = dispatcher->remainingTime(id);
    QVERIFY2(remaining >= minRemaining && remaining <= maxRemaining,
             qPrintable(QString::number(remaining)));

    object.killTimer(id);
    QVERIFY(dispatcher->registeredTimers(&object).isEmpty());
    QCOMPARE(dispatcher->remainingTime(id), -1);
    QVERIFY(!dispatcher->unregisterTimer(id));
}

void TestEpollTimers::timerFollowsItsObjectToAnotherThread()
{
    std::atomic<int> fired { 0 };
    std::atomic<QThread *> firedOn { nullptr };
    DispatcherThread worker;
    auto *timer = new QTimer; // deleted on the worker below
    timer->setInterval(5);
    connect(timer, &QTimer::timeout, timer, [&] {
        firedOn = QThread::currentThread();
        ++fired;
    });
    timer->start();
    timer->moveToThread(worker.thread()); // unregisters here, re-registers on the worker

    QTRY_VERIFY_WITH_TIMEOUT(fired >= 3, WaitMs);
    QCOMPARE(firedOn.load(), worker.thread());
    QVERIFY(currentDispatcher()->registeredTimers(timer).isEmpty());
    worker.run([timer] { delete timer; });
}

void TestEpollTimers::otherThreadWakesBlockedLoop_data()
{
    QTest::addColumn<QString>("how");
    QTest::addRow("postEvent") << QStringLiteral("post");
    QTest::addRow("queued invokeMethod") << QStringLiteral("queued");
    QTest::addRow("blocking queued invokeMethod") << QStringLiteral("blocking");
}

void TestEpollTimers::otherThreadWakesBlockedLoop()
{
    QFETCH(QString, how);

    std::atomic<int> blocks { 0 }; // before the thread: outlives it
    DispatcherThread worker;
    connect(
        worker.dispatcher(), &QAbstractEventDispatcher::aboutToBlock, worker.dispatcher(),
        [&] { ++blocks; }, Qt::DirectConnection);
    // Counted on the worker, so the next aboutToBlock() is surely one after this call.
    const auto [probe, blocksBefore]
        = worker.run([&] { return std::pair(new EventProbe(worker.context()), blocks.load()); });
    QTRY_VERIFY_WITH_TIMEOUT(blocks > blocksBefore, WaitMs); // it has nothing left to do

    if (how == QLatin1String("post")) {
        QCoreApplication::postEvent(probe, new QEvent(QEvent::User));
    } else {
        const auto connection
            = how == QLatin1String("queued") ? Qt::QueuedConnection : Qt::BlockingQueuedConnection;
        QMetaObject::invokeMethod(
            probe,
            [probe] {
                QEvent event(QEvent::User);
                QCoreApplication::sendEvent(probe, &event);
            },
            connection);
        if (connection == Qt::BlockingQueuedConnection)
            QCOMPARE(probe->received.load(), 1);
    }
    QTRY_COMPARE_WITH_TIMEOUT(probe->received.load(), 1, WaitMs);
    QCOMPARE(probe->handledOn.load(), worker.thread());
}

void TestEpollTimers::idleLoopBlocksInsteadOfSpinning()
{
    std::atomic<int> awakenings { 0 }; // before the thread: outlives it
    std::atomic<int> serverReceived { 0 };
    DispatcherThread worker;
    connect(
        worker.dispatcher(), &QAbstractEventDispatcher::awake, worker.dispatcher(),
        [&] { ++awakenings; }, Qt::DirectConnection);

    // Leave the worker with a listening server and a connection that has just written and
    // read, so its write notifier has been switched on and off again.
    const bool connected = worker.run([&] {
        auto *server = new QTcpServer(worker.context());
        if (!server->listen(QHostAddress::LocalHost, 0))
            return false;
        connect(server, &QTcpServer::newConnection, server, [&, server] {
            QTcpSocket *socket = server->nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket,
                    [&, socket] { serverReceived += int(socket->readAll().size()); });
        });
        auto *client = new QTcpSocket(worker.context());
        connect(client, &QTcpSocket::connected, client, [client] { client->write("ping"); });
        client->connectToHost(QHostAddress::LocalHost, server->serverPort());
        return true;
    });
    QVERIFY(connected);
    QTRY_COMPARE_WITH_TIMEOUT(serverReceived.load(), 4, WaitMs);
    worker.run([] {}); // one round trip, so the worker has settled into its wait
    const int before = awakenings;

    // An observation window, not synchronisation: a loop that spins (on a stale write mask,
    // say) wakes thousands of times in it; a blocked one not at all.
    QTest::qWait(200);
    QVERIFY2(awakenings - before <= 3, qPrintable(QString::number(awakenings - before)));
}

void TestEpollTimers::deleteLaterFromAnotherThreadDeletesOnWorker()
{
    std::atomic<QThread *> destroyedOn { nullptr };
    DispatcherThread worker;
    QObject *object = worker.run([&] { return new QObject(worker.context()); });
    connect(
        object, &QObject::destroyed, object, [&] { destroyedOn = QThread::currentThread(); },
        Qt::DirectConnection);
    object->deleteLater();
    QTRY_VERIFY_WITH_TIMEOUT(destroyedOn.load(), WaitMs);
    QCOMPARE(destroyedOn.load(), worker.thread());
}

void TestEpollTimers::interruptEndsBlockingProcessEvents_data()
{
    QTest::addColumn<QString>("when");
    QTest::addRow("from another thread, while blocked") << QStringLiteral("blocked");
    QTest::addRow("from aboutToBlock, before the wait") << QStringLiteral("aboutToBlock");
    QTest::addRow("before processEvents") << QStringLiteral("before");
}

void TestEpollTimers::interruptEndsBlockingProcessEvents()
{
    QFETCH(QString, when);

    QAbstractEventDispatcher *dispatcher = currentDispatcher();
    QTimer fallback; // bounds the wait should interrupt() be ignored
    fallback.setSingleShot(true);
    fallback.start(WaitMs);

    QSemaphore aboutToBlock;
    std::atomic<bool> interrupted { false };
    const auto connection = connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, this, [&] {
        if (when == QLatin1String("aboutToBlock") && !interrupted) {
            interrupted = true;
            dispatcher->interrupt();
        }
        aboutToBlock.release();
    });
    std::unique_ptr<QThread> interrupter(QThread::create([&] {
        if (aboutToBlock.tryAcquire(1, WaitMs)) {
            interrupted = true; // first: the loop checks it as soon as it returns
            dispatcher->interrupt();
        }
    }));
    if (when == QLatin1String("blocked")) {
        interrupter->start();
    } else if (when == QLatin1String("before")) {
        interrupted = true;
        dispatcher->interrupt();
    }

    QElapsedTimer clock;
    clock.start();
    do {
        dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
    } while (!interrupted && fallback.isActive());
    disconnect(connection);
    if (interrupter->isRunning()) {
        aboutToBlock.release(); // let it finish if the loop ended some other way
        QVERIFY(interrupter->wait(WaitMs));
    }
    QVERIFY(interrupted);
    QVERIFY2(fallback.isActive(), "processEvents() ran until the fallback timer");
    QVERIFY(clock.elapsed() < WaitMs / 2);
}

void TestEpollTimers::threadQuitStopsLoop_data()
{
    QTest::addColumn<bool>("busy");
    QTest::addRow("idle") << false;
    QTest::addRow("with timer and sockets") << true;
}

void TestEpollTimers::threadQuitStopsLoop()
{
    QFETCH(bool, busy);

    std::atomic<int> ticks { 0 };
    DispatcherThread worker;
    if (busy) {
        const bool listening = worker.run([&] {
            auto *timer = new QTimer(worker.context());
            connect(timer, &QTimer::timeout, timer, [&] { ++ticks; });
            timer->start(1);
            auto *server = new EchoServer(worker.context());
            return server->listen() != 0;
        });
        QVERIFY(listening);
        QTRY_VERIFY_WITH_TIMEOUT(ticks >= 3, WaitMs);
    }
    QSignalSpy finished(worker.thread(), &QThread::finished);
    worker.thread()->quit();
    QVERIFY(worker.thread()->wait(WaitMs));
    QCOMPARE(finished.size(), 1);
}

int main(int argc, char *argv[])
{
    // Before the application exists, so the test's own thread runs on it as well.
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEpollTimers test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolltimers.moc"
