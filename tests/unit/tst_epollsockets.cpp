// EpollEventDispatcher and sockets: TCP and WebSocket echo through it, socket notifiers being
// toggled, removed, nested and excluded, and sockets deleted from their own handlers.

#include "epolltesthelpers.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QPointer>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTest>
#include <QTimer>
#include <QUrl>

#include <memory>

using namespace EpollTest;

class TestEpollSockets : public QObject
{
    Q_OBJECT
private slots:
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

void TestEpollSockets::tcpEchoTransfersOneMegabyteBothWays_data()
{
    QTest::addColumn<bool>("serverOnWorker");
    QTest::addRow("server and client on one thread") << false;
    QTest::addRow("server on a worker thread") << true;
}

void TestEpollSockets::tcpEchoTransfersOneMegabyteBothWays()
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

void TestEpollSockets::webSocketServerEchoesTextMessage_data()
{
    QTest::addColumn<bool>("serverOnWorker");
    QTest::addRow("server and client on one thread") << false;
    QTest::addRow("server on a worker thread") << true;
}

void TestEpollSockets::webSocketServerEchoesTextMessage()
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

void TestEpollSockets::notifierSurvivesManyEnableDisableCycles_data()
{
    QTest::addColumn<int>("cycles");
    QTest::addRow("1 cycle") << 1;
    QTest::addRow("2 cycles") << 2;
    QTest::addRow("1000 cycles") << 1000;
    QTest::addRow("1001 cycles") << 1001;
}

void TestEpollSockets::notifierSurvivesManyEnableDisableCycles()
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

void TestEpollSockets::notifierRemovedByEarlierActivationIsSkipped_data()
{
    QTest::addColumn<bool>("sameDescriptor");
    QTest::addColumn<bool>("deleteNotifier");
    QTest::addRow("one descriptor, deleted") << true << true;
    QTest::addRow("one descriptor, disabled") << true << false;
    QTest::addRow("two descriptors, deleted") << false << true;
    QTest::addRow("two descriptors, disabled") << false << false;
}

void TestEpollSockets::notifierRemovedByEarlierActivationIsSkipped()
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

void TestEpollSockets::loopNestedInActivationDeliversOtherReadySockets()
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

void TestEpollSockets::excludeSocketNotifiersDefersActivation()
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

void TestEpollSockets::socketDeletedFromReadyReadHandler_data()
{
    QTest::addColumn<bool>("deleteOther");
    QTest::addRow("deleteLater() on itself") << false;
    QTest::addRow("delete the other socket") << true;
}

void TestEpollSockets::socketDeletedFromReadyReadHandler()
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
    TestEpollSockets test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epollsockets.moc"
