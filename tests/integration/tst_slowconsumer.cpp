// A client that stops reading is closed as a slow consumer once its outgoing queue passes the
// cap, while the other members keep getting every message.

#include "handmadewebsocket.h"
#include "rawphoenixclient.h"
#include "testhub.h"

#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

using namespace Parley;
using namespace Parley::Testing;

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
    settings.maxRate = 0;
    TestHub hub(settings);
    QVERIFY(hub.start());

    // The stalled reader: joins, then never reads (Qt stops reading once 1 KiB is buffered,
    // and a small receive buffer makes the kernel stop early too).
    QTcpSocket stalled;
    stalled.setReadBufferSize(1024);
    stalled.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    stalled.connectToHost(QHostAddress::LocalHost, hub.url().port());
    QVERIFY(stalled.waitForConnected(5000));
    stalled.write("GET /socket/websocket?vsn=2.0.0&user_id=stalled01&nick=stalled HTTP/1.1\r\n"
                  "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    stalled.write(HandmadeWebSocket::clientFrame(
            0x81, R"(["1","1","room:general","phx_join",{}])"));
    stalled.flush();

    RawPhoenixClient observer;
    observer.open(hub.url(), RawPhoenixClient::params(QStringLiteral("observer1"), QStringLiteral("obs")));
    QVERIFY(observer.waitForOpen());
    QVERIFY(observer.waitForReply(observer.join(QStringLiteral("room:general"))));
    RawPhoenixClient publisher;
    publisher.open(hub.url(), RawPhoenixClient::params(QStringLiteral("publisher1"), QStringLiteral("pub")));
    QVERIFY(publisher.waitForOpen());
    QVERIFY(publisher.waitForReply(publisher.join(QStringLiteral("room:general"))));
    QTRY_COMPARE_WITH_TIMEOUT(hub.connectionCount(), 3, 5000);

    const QString body(3900, u'x');
    int sent = 0;
    // Publish in rounds until the hub has dropped the stalled reader (bounded: 40 MB at most).
    for (int round = 0; round < 200 && hub.connectionCount() == 3; ++round) {
        QString last;
        for (int i = 0; i < 50; ++i, ++sent)
            last = publisher.push(QStringLiteral("room:general"), QStringLiteral("new_msg"),
                                  QJsonObject { { QStringLiteral("body"), body } });
        QVERIFY(publisher.waitForReply(last, 20000));
    }
    QTRY_COMPARE_WITH_TIMEOUT(hub.connectionCount(), 2, 10000);
    QVERIFY2(sent > 0, "the hub dropped the reader before any message was sent");

    // Nobody else lost anything: the observer receives every broadcast.
    const auto isNewMsg = RawPhoenixClient::isEvent(QStringLiteral("room:general"), QStringLiteral("new_msg"));
    QTRY_COMPARE_WITH_TIMEOUT(observer.count(isNewMsg), qsizetype(sent), 20000);
    QVERIFY(observer.roundTrip());
}

QTEST_MAIN(tst_SlowConsumer)
#include "tst_slowconsumer.moc"
