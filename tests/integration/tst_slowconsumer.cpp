// A client that stops reading is closed as a slow consumer once its outgoing queue passes the
// cap, while the other members keep getting every message.

#include "handmadewebsocket.h"
#include "rawphoenixclient.h"
#include "testhub.h"
#include "testkeys.h"

#include "protocol/identity.h"

#include <QJsonObject>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTest>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

using namespace Parley;
using namespace Parley::Testing;

namespace {

// The kernel's TCP state of the socket (TCP_ESTABLISHED, TCP_CLOSE_WAIT, TCP_CLOSE...).
int tcpState(const QTcpSocket &socket)
{
    tcp_info info {};
    socklen_t size = sizeof info;
    if (::getsockopt(int(socket.socketDescriptor()), IPPROTO_TCP, TCP_INFO, &info, &size) != 0)
        return -1;
    return info.tcpi_state;
}

} // namespace

class tst_SlowConsumer : public QObject
{
    Q_OBJECT
private slots:
    void stalledReaderIsClosedAndOthersGetEverything();
};

void tst_SlowConsumer::stalledReaderIsClosedAndOthersGetEverything()
{
    Hub::HubSettings settings = TestHub::settings();
    settings.maxOutgoingBytes = 1024 * 1024;
    settings.socketSendBufferBytes = 256 * 1024;
    settings.maxRate = 0;
    TestHub hub(settings);
    QVERIFY(hub.start());
    const QString stalledUser = TestKeys::userId(QStringLiteral("stalled"));

    // The stalled reader: joins, then never reads (Qt stops reading once 1 KiB is buffered,
    // and a small receive buffer makes the kernel stop early too).
    QSslSocket stalled; // plain TCP unless the suite runs over TLS
    stalled.setReadBufferSize(1024);
    stalled.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    if (hub.url().scheme() == QLatin1String("wss")) {
        Parley::Testing::trustTestHubs(&stalled);
        stalled.connectToHostEncrypted(QStringLiteral("127.0.0.1"), quint16(hub.url().port()));
        QVERIFY(stalled.waitForEncrypted(5000));
    } else {
        stalled.connectToHost(QHostAddress::LocalHost, quint16(hub.url().port()));
        QVERIFY(stalled.waitForConnected(5000));
    }
    // A signed connect, sent by hand.
    const QUrl url = RawPhoenixClient::socketUrl(hub.url(), RawPhoenixClient::params(stalledUser, QStringLiteral("stalled")));
    stalled.write(
        "GET " + url.path(QUrl::FullyEncoded).toLatin1() + '?'
        + url.query(QUrl::FullyEncoded).toLatin1()
        + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(url.port())
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    // As RFC 6455 4.1 asks, the join waits for the 101 (a frame sent before it is not read).
    while (!stalled.peek(1024).contains("\r\n\r\n"))
        QVERIFY(stalled.waitForReadyRead(5000));
    stalled.read(stalled.peek(1024).indexOf("\r\n\r\n") + 4);
    stalled.write(HandmadeWebSocket::clientFrame(
            0x81, R"(["1","1","room:general","phx_join",{}])"));
    stalled.flush();

    RawPhoenixClient observer;
    observer.open(hub.url(), RawPhoenixClient::params(QStringLiteral("observer"), QStringLiteral("obs")));
    QVERIFY(observer.waitForOpen());
    QVERIFY(observer.waitForReply(observer.join(QStringLiteral("room:general"))));
    RawPhoenixClient publisher;
    publisher.open(hub.url(), RawPhoenixClient::params(QStringLiteral("publisher"), QStringLiteral("pub")));
    QVERIFY(publisher.waitForOpen());
    QVERIFY(publisher.waitForReply(publisher.join(QStringLiteral("room:general"))));
    QTRY_COMPARE_WITH_TIMEOUT(hub.connectionCount(), 3, 5000);

    const QString body(3900, u'x');
    int sent = 0;
    // Publish in small rounds until the hub starts closing the stalled reader (bounded: 40 MB).
    for (int round = 0; round < 1000 && hub.closes().isEmpty(); ++round) {
        QString last;
        for (int i = 0; i < 10; ++i, ++sent)
            last = publisher.push(QStringLiteral("room:general"), QStringLiteral("new_msg"),
                                  QJsonObject { { QStringLiteral("body"), body } });
        QVERIFY(publisher.waitForReply(last, 20000));
    }
    QTRY_VERIFY_WITH_TIMEOUT(!hub.closes().isEmpty(), 10000);
    // It was not cut off early: at least the cap's worth had been written to it when the hub
    // decided (the kernel's buffers took some more, so this is a lower bound).
    const qint64 written = qint64(sent) * body.size();
    QVERIFY2(written >= settings.maxOutgoingBytes,
             qPrintable(QStringLiteral("cut off after only %1 bytes").arg(written)));
    // Nor late: what it held is bounded by the cap plus the kernel's send buffer (Linux reserves
    // twice SO_SNDBUF), with 256 KiB for the reader's own buffers and the last rounds. Left to
    // autotuning, the kernel alone would have taken ~4 MB.
    const qint64 bound = settings.maxOutgoingBytes + 2 * settings.socketSendBufferBytes + 256 * 1024;
    QVERIFY2(written <= bound, qPrintable(QStringLiteral("cut off only after %1 bytes (bound %2)")
                                                  .arg(written).arg(bound)));
    QTRY_COMPARE_WITH_TIMEOUT(hub.connectionCount(), 2, 10000);

    // The hub closed exactly that connection, as a slow consumer.
    QTRY_COMPARE(hub.closes().size(), 1);
    QCOMPARE(hub.closes().at(0).userId, stalledUser);
    QCOMPARE(hub.closes().at(0).code, quint16(1008));
    QCOMPARE(hub.closes().at(0).reason, QStringLiteral("slow_consumer"));
    // Its connection is reset, not left to an orphaned socket that would keep the megabytes
    // it did not read and retry for minutes: the reader learns it without reading anything.
    QTRY_COMPARE_WITH_TIMEOUT(tcpState(stalled), int(TCP_CLOSE), 10000);
    stalled.setReadBufferSize(0);
    QTRY_COMPARE_WITH_TIMEOUT(stalled.state(), QAbstractSocket::UnconnectedState, 10000);

    // Nobody else lost anything: the observer receives every broadcast, and stays connected.
    const auto isNewMsg = RawPhoenixClient::isEvent(QStringLiteral("room:general"), QStringLiteral("new_msg"));
    QTRY_COMPARE_WITH_TIMEOUT(observer.count(isNewMsg), qsizetype(sent), 20000);
    QVERIFY(observer.roundTrip());
    QVERIFY(publisher.roundTrip());
    QVERIFY(observer.isOpen());
    QCOMPARE(hub.closes().size(), 1);
}

QTEST_MAIN(tst_SlowConsumer)
#include "tst_slowconsumer.moc"
