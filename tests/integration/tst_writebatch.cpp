// WriteBatch + WsConnection on a real loopback socket pair: frames written during a turn wait
// in the connection (and count as queued), one flush hands them to the kernel in order, and a
// connection deleted before the flush is skipped. And the hub's DirectSocket under them: a
// write goes straight to the kernel, what the kernel refuses waits in the socket, and nothing
// written later overtakes it.

#include "hub/directsocket.h"
#include "hub/writebatch.h"
#include "hub/wsconnection.h"
#include "hub/wsprotocol.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

#include <sys/socket.h>

using namespace Parley::Hub;

namespace {

const QByteArray upgradeRequest = "GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\n"
                                  "Host: 127.0.0.1\r\n"
                                  "Upgrade: websocket\r\n"
                                  "Connection: Upgrade\r\n"
                                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                  "Sec-WebSocket-Version: 13\r\n\r\n";

// Accepts into a DirectSocket, as the hub's acceptor does.
class DirectServer : public QTcpServer
{
protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new DirectSocket(this);
        if (socket->setSocketDescriptor(descriptor))
            addPendingConnection(socket);
        else
            delete socket;
    }
};

struct Pair
{
    DirectServer server;
    std::unique_ptr<QTcpSocket> client = std::make_unique<QTcpSocket>();
    QTcpSocket *accepted = nullptr;

    bool open()
    {
        if (!server.listen(QHostAddress::LocalHost, 0))
            return false;
        client->connectToHost(QHostAddress::LocalHost, server.serverPort());
        if (!server.waitForNewConnection(5000))
            return false;
        accepted = server.nextPendingConnection();
        return accepted && client->waitForConnected(5000);
    }
};

// Reads from `socket` until `count` bytes arrived (or 5 s passed).
QByteArray readExactly(QTcpSocket &socket, qsizetype count)
{
    QByteArray bytes;
    while (bytes.size() < count) {
        if (!socket.bytesAvailable() && !socket.waitForReadyRead(5000))
            break;
        bytes += socket.readAll();
    }
    return bytes;
}

// An open WsConnection over `pair`, the 101 response already read by the client.
std::unique_ptr<WsConnection> openConnection(Pair &pair, WriteBatch *batch)
{
    auto connection = std::make_unique<WsConnection>(pair.accepted, 1 << 20, batch);
    Ws::Request request;
    qsizetype consumed = 0;
    QString error;
    if (Ws::parseRequest(upgradeRequest, &request, &consumed, &error) != Ws::ParseStatus::Complete)
        return nullptr;
    connection->accept(request);
    if (batch)
        batch->flush();
    const QByteArray response = Ws::upgradeResponse(request);
    if (readExactly(*pair.client, response.size()) != response)
        return nullptr;
    return connection;
}

} // namespace

class tst_WriteBatch : public QObject
{
    Q_OBJECT

private slots:
    void framesWaitForTheFlushAndKeepTheirOrder();
    void flushRunsByItselfOnTheNextTurn();
    void deletedConnectionIsSkipped();
    void withoutBatchWritesGoStraightToTheKernel();
    void refusedBytesWaitAndNothingOvertakesThem();
};

void tst_WriteBatch::framesWaitForTheFlushAndKeepTheirOrder()
{
    Pair pair;
    QVERIFY(pair.open());
    WriteBatch batch;
    const auto connection = openConnection(pair, &batch);
    QVERIFY(connection);

    const QByteArray shared = Ws::textFrame("broadcast");
    connection->sendText("first");
    connection->sendFrame(shared);
    connection->sendText("third");
    const QByteArray expected = Ws::textFrame("first") + shared + Ws::textFrame("third");
    QCOMPARE(connection->queuedBytes(), expected.size()); // held here, counted for the cap

    batch.flush();
    // Plain TCP with room in the kernel buffer: the flush sent it all; nothing is left queued.
    QCOMPARE(connection->queuedBytes(), 0);
    QCOMPARE(readExactly(*pair.client, expected.size()), expected);
}

void tst_WriteBatch::flushRunsByItselfOnTheNextTurn()
{
    Pair pair;
    QVERIFY(pair.open());
    WriteBatch batch;
    const auto connection = openConnection(pair, &batch);
    QVERIFY(connection);

    connection->sendText("later");
    QVERIFY(connection->queuedBytes() > 0);
    QTRY_COMPARE(connection->queuedBytes(), 0); // the queued flush ran from the event loop
    const QByteArray expected = Ws::textFrame("later");
    QCOMPARE(readExactly(*pair.client, expected.size()), expected);
}

void tst_WriteBatch::deletedConnectionIsSkipped()
{
    Pair first;
    Pair second;
    QVERIFY(first.open());
    QVERIFY(second.open());
    WriteBatch batch;
    auto doomed = openConnection(first, &batch);
    const auto survivor = openConnection(second, &batch);
    QVERIFY(doomed && survivor);

    doomed->sendText("never");
    survivor->sendText("delivered");
    doomed.reset(); // deletes its socket too; the batch must not touch it
    batch.flush();
    const QByteArray expected = Ws::textFrame("delivered");
    QCOMPARE(readExactly(*second.client, expected.size()), expected);
}

void tst_WriteBatch::withoutBatchWritesGoStraightToTheKernel()
{
    Pair pair;
    QVERIFY(pair.open());
    const auto connection = openConnection(pair, nullptr);
    QVERIFY(connection);

    connection->sendText("direct");
    const QByteArray expected = Ws::textFrame("direct");
    QCOMPARE(connection->queuedBytes(), 0); // not even in QTcpSocket's buffer
    QCOMPARE(pair.accepted->bytesToWrite(), 0);
    QCOMPARE(readExactly(*pair.client, expected.size()), expected);
}

void tst_WriteBatch::refusedBytesWaitAndNothingOvertakesThem()
{
    Pair pair;
    QVERIFY(pair.open());
    // A small kernel send buffer and a client that does not read yet: the kernel soon refuses.
    const int small = 16 * 1024;
    QVERIFY(::setsockopt(int(pair.accepted->socketDescriptor()), SOL_SOCKET, SO_SNDBUF, &small,
                         sizeof small) == 0);
    pair.client->setReadBufferSize(1);
    QByteArray expected;
    qsizetype i = 0;
    while (pair.accepted->bytesToWrite() == 0 && i < 100'000) {
        const QByteArray chunk = QByteArray(1000, char('a' + i % 26));
        QCOMPARE(pair.accepted->write(chunk), chunk.size());
        expected += chunk;
        ++i;
    }
    QVERIFY2(pair.accepted->bytesToWrite() > 0, "the kernel never refused");
    // Written while a backlog waits: queued behind it, not sent past it.
    const QByteArray tail = "the end";
    QCOMPARE(pair.accepted->write(tail), tail.size());
    expected += tail;
    QVERIFY(pair.accepted->bytesToWrite() >= tail.size());

    pair.client->setReadBufferSize(0);
    QByteArray received;
    while (received.size() < expected.size()) {
        QCoreApplication::processEvents(); // the server side drains its backlog
        if (pair.client->bytesAvailable() || pair.client->waitForReadyRead(100))
            received += pair.client->readAll();
        else if (received.size() < expected.size() && pair.accepted->bytesToWrite() == 0
                 && !pair.client->waitForReadyRead(5000))
            break;
    }
    QCOMPARE(received.size(), expected.size());
    QVERIFY(received == expected);
    QCOMPARE(pair.accepted->bytesToWrite(), 0);
}

QTEST_GUILESS_MAIN(tst_WriteBatch)
#include "tst_writebatch.moc"
