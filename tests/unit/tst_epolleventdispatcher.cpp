#include "hub/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QPointer>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <sys/socket.h>
#include <type_traits>
#include <unistd.h>
#include <utility>

using Parley::Hub::EpollEventDispatcher;

namespace {

constexpr int WaitMs = 10'000; // bound on every wait; failures show up long before

QAbstractEventDispatcher *currentDispatcher()
{
    return QThread::currentThread()->eventDispatcher();
}

// Runs whatever is queued right now, without waiting: enough to show what level-triggered
// readiness delivers, so "nothing happened" needs no time window.
void spinWithoutWaiting(int iterations = 3)
{
    for (int i = 0; i < iterations; ++i)
        currentDispatcher()->processEvents(QEventLoop::AllEvents);
}

// A started QThread running its loop on an EpollEventDispatcher, with a context object on it
// for queued calls. Objects created with context() as parent die with the thread.
class DispatcherThread
{
public:
    DispatcherThread()
        : m_thread(std::make_unique<QThread>())
        , m_dispatcher(new EpollEventDispatcher)
    {
        m_thread->setEventDispatcher(m_dispatcher); // the thread owns it from here
        m_context = new QObject;
        m_context->moveToThread(m_thread.get());
        QObject::connect(m_thread.get(), &QThread::finished, m_context, &QObject::deleteLater);
        m_thread->start();
    }
    ~DispatcherThread() { stop(); }

    QThread *thread() const { return m_thread.get(); }
    EpollEventDispatcher *dispatcher() const { return m_dispatcher; } // until stop()
    QObject *context() const { return m_context; }

    template<typename Function> auto run(Function function) const
    {
        if constexpr (std::is_void_v<std::invoke_result_t<Function>>) {
            QMetaObject::invokeMethod(m_context, function, Qt::BlockingQueuedConnection);
        } else {
            std::invoke_result_t<Function> result {};
            QMetaObject::invokeMethod(m_context, function, Qt::BlockingQueuedConnection, &result);
            return result;
        }
    }

    void stop()
    {
        m_thread->quit();
        if (!m_thread->wait(WaitMs))
            qFatal("the dispatcher thread did not stop");
    }

private:
    std::unique_ptr<QThread> m_thread;
    EpollEventDispatcher *m_dispatcher;
    QObject *m_context;
};

// Echoes every byte back on each accepted connection.
class EchoServer : public QObject
{
    Q_OBJECT
public:
    explicit EchoServer(QObject *parent = nullptr)
        : QObject(parent)
        , m_server(new QTcpServer(this))
    {
        connect(m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server->nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket,
                        [socket] { socket->write(socket->readAll()); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    quint16 listen()
    {
        return m_server->listen(QHostAddress::LocalHost, 0) ? m_server->serverPort() : 0;
    }

private:
    QTcpServer *m_server;
};

// Echoes every text message back.
class WebSocketEchoServer : public QObject
{
    Q_OBJECT
public:
    explicit WebSocketEchoServer(QObject *parent = nullptr)
        : QObject(parent)
        , m_server(
              new QWebSocketServer(QStringLiteral("test"), QWebSocketServer::NonSecureMode, this))
    {
        connect(m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_server->nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QWebSocket::textMessageReceived, socket,
                        [socket](const QString &text) { socket->sendTextMessage(text); });
                connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    quint16 listen()
    {
        return m_server->listen(QHostAddress::LocalHost, 0) ? m_server->serverPort() : 0;
    }

private:
    QWebSocketServer *m_server;
};

// Calls a function for each of its timer events.
class TimerProbe : public QObject
{
public:
    std::function<void(int timerId)> onTimer;

protected:
    void timerEvent(QTimerEvent *event) override { onTimer(event->timerId()); }
};

// Counts QEvent::User events and remembers the thread that handled them.
class EventProbe : public QObject
{
public:
    using QObject::QObject;
    std::atomic<int> received { 0 };
    std::atomic<QThread *> handledOn { nullptr };

    bool event(QEvent *event) override
    {
        if (event->type() != QEvent::User)
            return QObject::event(event);
        handledOn = QThread::currentThread();
        ++received;
        return true;
    }
};

// Both ends of a connected, non-blocking AF_UNIX stream pair, closed on destruction.
struct SocketPair
{
    int fds[2] = { -1, -1 };
    SocketPair() { socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        close(fds[0]);
        close(fds[1]);
    }
    bool isValid() const { return fds[0] >= 0 && fds[1] >= 0; }
    bool send(int end = 1) const { return ::write(fds[end], "x", 1) == 1; }
};

QByteArray makePayload(int size)
{
    QByteArray payload(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        payload[i] = char((i * 7 + i / 251) & 0xff);
    return payload;
}

} // namespace

class TestEpollEventDispatcher : public QObject
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

    void tcpEchoTransfersOneMegabyteBothWays_data();
    void tcpEchoTransfersOneMegabyteBothWays();
    void webSocketServerEchoesTextMessage_data();
    void webSocketServerEchoesTextMessage();
    void notifierSurvivesManyEnableDisableCycles_data();
    void notifierSurvivesManyEnableDisableCycles();
    void notifierRemovedByEarlierActivationIsSkipped_data();
    void notifierRemovedByEarlierActivationIsSkipped();
    void loopNestedInActivationDeliversOtherReadySockets();
    void excludeSocketNotifiersDefersActivation();
    void socketDeletedFromReadyReadHandler_data();
    void socketDeletedFromReadyReadHandler();
};

void TestEpollEventDispatcher::mainThreadRunsOnEpollDispatcher()
{
    QCOMPARE(QCoreApplication::instance()->thread()->eventDispatcher()->metaObject()->className(),
             "Parley::Hub::EpollEventDispatcher");
}

void TestEpollEventDispatcher::workerThreadRunsOnEpollDispatcher()
{
    DispatcherThread worker;
    const QByteArray className
        = worker.run([] { return QByteArray(currentDispatcher()->metaObject()->className()); });
    QCOMPARE(className, "Parley::Hub::EpollEventDispatcher");
    QCOMPARE(worker.thread()->eventDispatcher(), worker.dispatcher());
}

void TestEpollEventDispatcher::repeatingTimerFiresRepeatedly_data()
{
    QTest::addColumn<Qt::TimerType>("type");
    QTest::addColumn<int>("interval");
    QTest::addColumn<int>("wanted");
    QTest::addRow("precise 5 ms") << Qt::PreciseTimer << 5 << 20;
    QTest::addRow("coarse 10 ms") << Qt::CoarseTimer << 10 << 10;
    QTest::addRow("coarse 50 ms") << Qt::CoarseTimer << 50 << 4;
    QTest::addRow("very coarse 1 s") << Qt::VeryCoarseTimer << 1000 << 2;
}

void TestEpollEventDispatcher::repeatingTimerFiresRepeatedly()
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

void TestEpollEventDispatcher::singleShotTimerFiresOnce_data()
{
    QTest::addColumn<bool>("useStaticSingleShot");
    QTest::addRow("QTimer::singleShot()") << true;
    QTest::addRow("single-shot QTimer") << false;
}

void TestEpollEventDispatcher::singleShotTimerFiresOnce()
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

void TestEpollEventDispatcher::timersFireInOrderOfTheirIntervals_data()
{
    QTest::addColumn<Qt::TimerType>("type");
    QTest::addRow("precise") << Qt::PreciseTimer;
    QTest::addRow("coarse") << Qt::CoarseTimer;
}

void TestEpollEventDispatcher::timersFireInOrderOfTheirIntervals()
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

void TestEpollEventDispatcher::timerStoppedByEarlierHandlerDoesNotFire_data()
{
    QTest::addColumn<bool>("deleteObject");
    QTest::addRow("killTimer()") << false;
    QTest::addRow("object deleted") << true;
}

void TestEpollEventDispatcher::timerStoppedByEarlierHandlerDoesNotFire()
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

void TestEpollEventDispatcher::zeroIntervalTimerFiresOncePerIteration()
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

void TestEpollEventDispatcher::lateTimerSkipsMissedIntervalsInsteadOfBursting()
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

void TestEpollEventDispatcher::registeredTimersAndRemainingTimeDescribeTimer_data()
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

void TestEpollEventDispatcher::registeredTimersAndRemainingTimeDescribeTimer()
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

void TestEpollEventDispatcher::timerFollowsItsObjectToAnotherThread()
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

void TestEpollEventDispatcher::otherThreadWakesBlockedLoop_data()
{
    QTest::addColumn<QString>("how");
    QTest::addRow("postEvent") << QStringLiteral("post");
    QTest::addRow("queued invokeMethod") << QStringLiteral("queued");
    QTest::addRow("blocking queued invokeMethod") << QStringLiteral("blocking");
}

void TestEpollEventDispatcher::otherThreadWakesBlockedLoop()
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

void TestEpollEventDispatcher::idleLoopBlocksInsteadOfSpinning()
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

void TestEpollEventDispatcher::deleteLaterFromAnotherThreadDeletesOnWorker()
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

void TestEpollEventDispatcher::interruptEndsBlockingProcessEvents_data()
{
    QTest::addColumn<QString>("when");
    QTest::addRow("from another thread, while blocked") << QStringLiteral("blocked");
    QTest::addRow("from aboutToBlock, before the wait") << QStringLiteral("aboutToBlock");
    QTest::addRow("before processEvents") << QStringLiteral("before");
}

void TestEpollEventDispatcher::interruptEndsBlockingProcessEvents()
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

void TestEpollEventDispatcher::threadQuitStopsLoop_data()
{
    QTest::addColumn<bool>("busy");
    QTest::addRow("idle") << false;
    QTest::addRow("with timer and sockets") << true;
}

void TestEpollEventDispatcher::threadQuitStopsLoop()
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

void TestEpollEventDispatcher::tcpEchoTransfersOneMegabyteBothWays_data()
{
    QTest::addColumn<bool>("serverOnWorker");
    QTest::addRow("server and client on one thread") << false;
    QTest::addRow("server on a worker thread") << true;
}

void TestEpollEventDispatcher::tcpEchoTransfersOneMegabyteBothWays()
{
    QFETCH(bool, serverOnWorker);

    DispatcherThread worker;
    std::unique_ptr<EchoServer> localServer;
    quint16 port = 0;
    if (serverOnWorker) {
        port = worker.run([&] { return (new EchoServer(worker.context()))->listen(); });
    } else {
        localServer = std::make_unique<EchoServer>();
        port = localServer->listen();
    }
    QVERIFY(port != 0);

    const QByteArray payload = makePayload(1 << 20);
    QByteArray received;
    QTcpSocket client;
    connect(&client, &QTcpSocket::readyRead, this, [&] { received += client.readAll(); });
    QSignalSpy connected(&client, &QTcpSocket::connected);
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(connected.wait(WaitMs));
    client.write(payload);

    QTRY_COMPARE_WITH_TIMEOUT(received.size(), payload.size(), WaitMs);
    QVERIFY(received == payload);
    QCOMPARE(client.bytesToWrite(), 0);
}

void TestEpollEventDispatcher::webSocketServerEchoesTextMessage_data()
{
    QTest::addColumn<bool>("serverOnWorker");
    QTest::addRow("server and client on one thread") << false;
    QTest::addRow("server on a worker thread") << true;
}

void TestEpollEventDispatcher::webSocketServerEchoesTextMessage()
{
    QFETCH(bool, serverOnWorker);

    DispatcherThread worker;
    std::unique_ptr<WebSocketEchoServer> localServer;
    quint16 port = 0;
    if (serverOnWorker) {
        port = worker.run([&] { return (new WebSocketEchoServer(worker.context()))->listen(); });
    } else {
        localServer = std::make_unique<WebSocketEchoServer>();
        port = localServer->listen();
    }
    QVERIFY(port != 0);

    QWebSocket client;
    QSignalSpy connected(&client, &QWebSocket::connected);
    QSignalSpy echoed(&client, &QWebSocket::textMessageReceived);
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/socket").arg(port)));
    QVERIFY(connected.wait(WaitMs));
    const QString text = QStringLiteral("hello over epoll ").repeated(1000);
    client.sendTextMessage(text);
    QVERIFY(echoed.wait(WaitMs));
    QCOMPARE(echoed.first().first().toString(), text);

    QSignalSpy disconnected(&client, &QWebSocket::disconnected);
    client.close(); // may already emit disconnected(), so no QSignalSpy::wait() here
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, WaitMs);
}

void TestEpollEventDispatcher::notifierSurvivesManyEnableDisableCycles_data()
{
    QTest::addColumn<int>("cycles");
    QTest::addRow("1 cycle") << 1;
    QTest::addRow("2 cycles") << 2;
    QTest::addRow("1000 cycles") << 1000;
    QTest::addRow("1001 cycles") << 1001;
}

void TestEpollEventDispatcher::notifierSurvivesManyEnableDisableCycles()
{
    QFETCH(int, cycles);

    SocketPair pair;
    QVERIFY(pair.isValid());
    // Two notifiers on one descriptor: they share its epoll registration.
    QSocketNotifier readNotifier(pair.fds[0], QSocketNotifier::Read);
    QSocketNotifier writeNotifier(pair.fds[0], QSocketNotifier::Write);
    writeNotifier.setEnabled(false);
    int reads = 0;
    int writes = 0;
    connect(&readNotifier, &QSocketNotifier::activated, this, [&] {
        ++reads;
        char buffer[16];
        while (::read(pair.fds[0], buffer, sizeof buffer) > 0) { }
    });
    connect(&writeNotifier, &QSocketNotifier::activated, this, [&] {
        ++writes;
        writeNotifier.setEnabled(false); // like QAbstractSocket once its buffer is flushed
    });

    for (int i = 0; i < cycles; ++i) {
        readNotifier.setEnabled(false);
        writeNotifier.setEnabled(i % 2 == 0);
        readNotifier.setEnabled(true);
        if (i % 2 == 0)
            writeNotifier.setEnabled(false);
        if (i % 100 == 99)
            spinWithoutWaiting(1); // let some changes reach the kernel mid-way
    }
    spinWithoutWaiting();
    QCOMPARE(reads, 0);
    QCOMPARE(writes, 0);

    QVERIFY(pair.send());
    QTRY_COMPARE_WITH_TIMEOUT(reads, 1, WaitMs);
    writeNotifier.setEnabled(true);
    QTRY_COMPARE_WITH_TIMEOUT(writes, 1, WaitMs);

    readNotifier.setEnabled(false);
    QVERIFY(pair.send());
    spinWithoutWaiting();
    QCOMPARE(reads, 1);
    readNotifier.setEnabled(true);
    QTRY_COMPARE_WITH_TIMEOUT(reads, 2, WaitMs);
    QCOMPARE(writes, 1);
}

void TestEpollEventDispatcher::notifierRemovedByEarlierActivationIsSkipped_data()
{
    QTest::addColumn<bool>("sameDescriptor");
    QTest::addColumn<bool>("deleteNotifier");
    QTest::addRow("one descriptor, deleted") << true << true;
    QTest::addRow("one descriptor, disabled") << true << false;
    QTest::addRow("two descriptors, deleted") << false << true;
    QTest::addRow("two descriptors, disabled") << false << false;
}

void TestEpollEventDispatcher::notifierRemovedByEarlierActivationIsSkipped()
{
    QFETCH(bool, sameDescriptor);
    QFETCH(bool, deleteNotifier);

    SocketPair first;
    SocketPair second;
    QVERIFY(first.isValid() && second.isValid());
    QVERIFY(first.send());
    QVERIFY(second.send());
    // Both are ready before the loop runs, so both activations are in the same batch, and
    // whichever comes first removes the other.
    std::unique_ptr<QSocketNotifier> notifiers[2];
    notifiers[0] = std::make_unique<QSocketNotifier>(first.fds[0], QSocketNotifier::Read);
    notifiers[1] = sameDescriptor
        ? std::make_unique<QSocketNotifier>(first.fds[0], QSocketNotifier::Write)
        : std::make_unique<QSocketNotifier>(second.fds[0], QSocketNotifier::Read);
    int activations = 0;
    for (int i = 0; i < 2; ++i) {
        connect(notifiers[i].get(), &QSocketNotifier::activated, this, [&, i] {
            ++activations;
            if (!notifiers[1 - i])
                return;
            if (deleteNotifier)
                notifiers[1 - i].reset();
            else
                notifiers[1 - i]->setEnabled(false);
        });
    }

    currentDispatcher()->processEvents(QEventLoop::AllEvents);
    QCOMPARE(activations, 1);
}

void TestEpollEventDispatcher::loopNestedInActivationDeliversOtherReadySockets()
{
    SocketPair first;
    SocketPair second;
    QVERIFY(first.isValid() && second.isValid());
    QVERIFY(first.send());
    QVERIFY(second.send());
    const int fds[2] = { first.fds[0], second.fds[0] };
    QSocketNotifier firstNotifier(fds[0], QSocketNotifier::Read);
    QSocketNotifier secondNotifier(fds[1], QSocketNotifier::Read);
    QSocketNotifier *notifiers[2] = { &firstNotifier, &secondNotifier };

    // Both are ready in one batch. The first handler runs a nested loop, which must deliver
    // the other activation still queued in the outer batch.
    int activations[2] = {};
    QEventLoop *nested = nullptr;
    bool nestedEndedByOther = false;
    for (int i = 0; i < 2; ++i) {
        connect(notifiers[i], &QSocketNotifier::activated, this, [&, i] {
            ++activations[i];
            char buffer[16];
            while (::read(fds[i], buffer, sizeof buffer) > 0) { }
            if (nested) {
                nestedEndedByOther = true;
                nested->quit();
                return;
            }
            QEventLoop loop;
            nested = &loop;
            QTimer::singleShot(WaitMs, &loop, &QEventLoop::quit);
            loop.exec();
            nested = nullptr;
        });
    }

    currentDispatcher()->processEvents(QEventLoop::AllEvents);
    QVERIFY(nestedEndedByOther);
    QCOMPARE(activations[0], 1);
    QCOMPARE(activations[1], 1);
}

void TestEpollEventDispatcher::excludeSocketNotifiersDefersActivation()
{
    SocketPair pair;
    QVERIFY(pair.isValid());
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] { ++activations; });
    QVERIFY(pair.send());

    QAbstractEventDispatcher *dispatcher = currentDispatcher();
    bool posted = false;
    QMetaObject::invokeMethod(
        this, [&] { posted = true; }, Qt::QueuedConnection);
    QTimer fallback; // the ready socket must not keep a waiting call from blocking either
    fallback.setSingleShot(true);
    bool fallbackFired = false;
    connect(&fallback, &QTimer::timeout, this, [&] { fallbackFired = true; });
    fallback.start(50);
    while (!fallbackFired)
        dispatcher->processEvents(QEventLoop::ExcludeSocketNotifiers
                                  | QEventLoop::WaitForMoreEvents);
    QVERIFY(posted);
    QCOMPARE(activations, 0);

    dispatcher->processEvents(QEventLoop::AllEvents);
    QCOMPARE(activations, 1);
}

void TestEpollEventDispatcher::socketDeletedFromReadyReadHandler_data()
{
    QTest::addColumn<bool>("deleteOther");
    QTest::addRow("deleteLater() on itself") << false;
    QTest::addRow("delete the other socket") << true;
}

void TestEpollEventDispatcher::socketDeletedFromReadyReadHandler()
{
    QFETCH(bool, deleteOther);

    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QTcpSocket clients[2];
    for (QTcpSocket &client : clients) {
        QSignalSpy connected(&client, &QTcpSocket::connected);
        client.connectToHost(QHostAddress::LocalHost, server.serverPort());
        QVERIFY(connected.wait(WaitMs));
    }
    QPointer<QTcpSocket> accepted[2];
    for (auto &socket : accepted) {
        QTRY_VERIFY_WITH_TIMEOUT(server.hasPendingConnections(), WaitMs);
        socket = server.nextPendingConnection();
    }

    int handled = 0;
    for (int i = 0; i < 2; ++i) {
        connect(accepted[i].data(), &QTcpSocket::readyRead, this, [&, i] {
            ++handled;
            if (deleteOther)
                delete accepted[1 - i].data();
            else
                accepted[i]->deleteLater();
        });
    }
    // Flushed synchronously, so both sockets are readable in the same epoll batch.
    for (QTcpSocket &client : clients) {
        client.write("data");
        QVERIFY(client.flush());
    }

    QTRY_VERIFY_WITH_TIMEOUT(handled >= 1, WaitMs);
    if (deleteOther) {
        QCOMPARE(handled, 1);
        QCOMPARE(int(accepted[0].isNull()) + int(accepted[1].isNull()), 1);
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(accepted[0].isNull() && accepted[1].isNull(), WaitMs);
        QCOMPARE(handled, 2);
    }
    // The peers see the close of what was deleted.
    for (int i = 0; i < 2; ++i) {
        if (accepted[i].isNull())
            QTRY_COMPARE_WITH_TIMEOUT(clients[i].state(), QAbstractSocket::UnconnectedState,
                                      WaitMs);
    }
    delete accepted[0].data();
    delete accepted[1].data();
}

int main(int argc, char *argv[])
{
    // Before the application exists, so the test's own thread runs on it as well.
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEpollEventDispatcher test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolleventdispatcher.moc"
