// What one host or one user can take of a hub (docs/protocol.md, "Limits"), against a real hub
// on 127.0.0.1 with a second "host" at 127.0.0.2: connections per address, connections still in
// their handshake per address, rooms per user (kept across a restart) and per hour, and the
// bytes a connection is sent for joins, so that join/leave churn cannot make the hub send more
// than its budget. Each test shows the other host unhindered.

#include "handmadewebsocket.h"
#include "hubchannelstesthelpers.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <vector>

using namespace HubChannelsTest;
using Parley::Testing::HandmadeWebSocket;

namespace {

const QHostAddress otherHost(QStringLiteral("127.0.0.2"));

// A signed connect from 127.0.0.2 as `user`, upgraded; nullptr-free: check isUpgraded().
std::unique_ptr<HandmadeWebSocket> connectFromOtherHost(const TestHub &hub, const QString &user)
{
    auto socket = std::make_unique<HandmadeWebSocket>();
    socket->setLocalAddress(otherHost);
    socket->open(RawPhoenixClient::socketUrl(
        hub.url(), RawPhoenixClient::params(user, QStringLiteral("other"))));
    socket->waitForUpgrade();
    return socket;
}

// Sends one frame and waits for its reply; the reply's text, or empty.
QByteArray request(HandmadeWebSocket &socket, const QByteArray &frame, const QByteArray &ref)
{
    const int from = int(socket.textMessages().size());
    socket.sendText(frame);
    const int index = socket.waitForText("\"" + ref + "\",", from);
    return index < 0 ? QByteArray() : socket.textMessages().at(index);
}

QJsonObject createRoom(RawPhoenixClient &client, const QString &name)
{
    const auto reply = client.pushAndWait(lobby, QStringLiteral("create_room"),
                                          QJsonObject { { "name", name } });
    return reply
        ? QJsonObject { { "status", reply->replyStatus() }, { "response", reply->replyResponse() } }
        : QJsonObject { { "status", "none" } };
}

} // namespace

class tst_HubLimits : public QObject
{
    Q_OBJECT

private slots:
    void connectionsPerAddressAreCapped();
    void handshakesPerAddressAreCapped();
    void roomsPerUserHoldAcrossARestart();
    void roomsPerHourPerUserAndPerAddress();
    void joinLeaveChurnIsBoundedInBytes();
};

void tst_HubLimits::connectionsPerAddressAreCapped()
{
    HubSettings settings = TestHub::settings();
    settings.maxConnectionsPerAddress = 3;
    TestHub hub(settings);
    QVERIFY(hub.start());
    std::vector<std::unique_ptr<RawPhoenixClient>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<RawPhoenixClient>());
        QVERIFY(held.back()->openAccepted(hub.url(), QStringLiteral("holder%1").arg(i),
                                          QStringLiteral("h")));
    }
    RawPhoenixClient fourth;
    fourth.open(hub.url(),
                RawPhoenixClient::params(QStringLiteral("holder3"), QStringLiteral("h")));
    QVERIFY(fourth.waitForClose());
    QCOMPARE(fourth.closeCode(), 1008);
    QCOMPARE(fourth.closeReason(), QStringLiteral("too_many_connections"));
    // Another host is not counted with this one.
    auto other = connectFromOtherHost(hub, QStringLiteral("otherhost1"));
    QVERIFY(other->isUpgraded());
    QVERIFY(request(*other, R"([null,"hb","phoenix","heartbeat",{}])", "hb")
                .contains(R"("status":"ok")"));
    // One of the three goes: a new one from here gets in.
    held.front().reset();
    QTRY_COMPARE(hub.connectionCount(), 3);
    RawPhoenixClient again;
    QVERIFY(again.openAccepted(hub.url(), QStringLiteral("holder4"), QStringLiteral("h")));
}

void tst_HubLimits::handshakesPerAddressAreCapped()
{
    HubSettings settings = TestHub::settings();
    settings.maxHandshakesPerAddress = 4;
    settings.handshakeTimeoutMs = 120'000; // nothing here may end by the clock
    TestHub hub(settings);
    QVERIFY(hub.start());
    const quint16 port = quint16(hub.url().port());
    // Four connections that never say anything, one after the other.
    std::vector<std::unique_ptr<QTcpSocket>> silent;
    for (int i = 0; i < 4; ++i) {
        silent.push_back(std::make_unique<QTcpSocket>());
        silent.back()->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(silent.back()->waitForConnected(5000));
    }
    // The fifth from the same address is closed at once.
    QTcpSocket fifth;
    QSignalSpy fifthGone(&fifth, &QTcpSocket::disconnected);
    fifth.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(fifth.waitForConnected(5000));
    QVERIFY(fifthGone.wait(10'000));
    for (const auto &socket : silent)
        QCOMPARE(socket->state(), QAbstractSocket::ConnectedState);
    // Another host connects and upgrades meanwhile.
    auto other = connectFromOtherHost(hub, QStringLiteral("otherhost1"));
    QVERIFY(other->isUpgraded());
    // Once one of the four leaves, this address may start another handshake.
    silent.front()->abort();
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            RawPhoenixClient client;
            return client.openAccepted(hub.url(), QStringLiteral("later0001"), QStringLiteral("l"),
                                       2000);
        }(),
        10'000);
}

void tst_HubLimits::roomsPerUserHoldAcrossARestart()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    HubSettings settings = TestHub::settings();
    settings.dataDir = dir.path();
    settings.maxRoomsPerUser = 3;
    settings.roomsPerHour = 0; // only what a user owns here
    {
        TestHub hub(settings);
        QVERIFY(hub.start());
        RawPhoenixClient ana;
        QVERIFY(ana.openAccepted(hub.url(), userA, QStringLiteral("ana")));
        QVERIFY(ana.joinAndWait(lobby));
        for (int i = 0; i < 3; ++i)
            QCOMPARE(createRoom(ana, QStringLiteral("ana-%1").arg(i)).value("status").toString(),
                     QStringLiteral("ok"));
        const QJsonObject refused = createRoom(ana, QStringLiteral("ana-3"));
        QCOMPARE(refused.value("status").toString(), QStringLiteral("error"));
        QCOMPARE(refused.value("response").toObject().value("reason").toString(),
                 QStringLiteral("too_many_rooms"));
        // Someone else (the same address) still may.
        RawPhoenixClient bob;
        QVERIFY(bob.openAccepted(hub.url(), userB, QStringLiteral("bob")));
        QVERIFY(bob.joinAndWait(lobby));
        QCOMPARE(createRoom(bob, QStringLiteral("bob-0")).value("status").toString(),
                 QStringLiteral("ok"));
    }
    // The store knows who made what: a restart does not give Ana a fresh allowance.
    TestHub restarted(settings);
    QVERIFY(restarted.start());
    RawPhoenixClient ana;
    QVERIFY(ana.openAccepted(restarted.url(), userA, QStringLiteral("ana")));
    QVERIFY(ana.joinAndWait(lobby));
    const QJsonObject refused = createRoom(ana, QStringLiteral("ana-4"));
    QCOMPARE(refused.value("response").toObject().value("reason").toString(),
             QStringLiteral("too_many_rooms"));
}

void tst_HubLimits::roomsPerHourPerUserAndPerAddress()
{
    HubSettings settings = TestHub::settings();
    settings.maxRoomsPerUser = 0;
    settings.roomsPerHour = 2;
    TestHub hub(settings);
    QVERIFY(hub.start());
    RawPhoenixClient ana;
    QVERIFY(ana.openAccepted(hub.url(), userA, QStringLiteral("ana")));
    QVERIFY(ana.joinAndWait(lobby));
    QCOMPARE(createRoom(ana, QStringLiteral("first")).value("status").toString(),
             QStringLiteral("ok"));
    QCOMPARE(createRoom(ana, QStringLiteral("second")).value("status").toString(),
             QStringLiteral("ok"));
    const QJsonObject third = createRoom(ana, QStringLiteral("third")).value("response").toObject();
    QCOMPARE(third.value("reason").toString(), QStringLiteral("rate_limited"));
    const qint64 wait = third.value("retry_after_ms").toInteger();
    QVERIFY2(wait > 3'000'000 && wait <= 3'600'000, qPrintable(QString::number(wait)));
    // A fresh key on the same address gets no fresh allowance: the address made two this hour.
    RawPhoenixClient mallory;
    QVERIFY(mallory.openAccepted(hub.url(), QStringLiteral("mallory"), QStringLiteral("m")));
    QVERIFY(mallory.joinAndWait(lobby));
    QCOMPARE(createRoom(mallory, QStringLiteral("fresh-key"))
                 .value("response")
                 .toObject()
                 .value("reason")
                 .toString(),
             QStringLiteral("rate_limited"));
    // Another host makes its rooms, and the list has no room the refusals made.
    auto other = connectFromOtherHost(hub, QStringLiteral("otherhost1"));
    QVERIFY(other->isUpgraded());
    QVERIFY(request(*other, R"(["1","1","hub:lobby","phx_join",{}])", "1")
                .contains(R"("status":"ok")"));
    QVERIFY(request(*other, R"(["1","2","hub:lobby","create_room",{"name":"elsewhere"}])", "2")
                .contains(R"("status":"ok")"));
    const auto rooms = ana.joinAndWait(lobby);
    QVERIFY(rooms);
    QCOMPARE(roomNames(rooms->replyResponse().value("rooms").toArray()),
             (QStringList { "elsewhere", "first", "general", "second" }));
}

void tst_HubLimits::joinLeaveChurnIsBoundedInBytes()
{
    HubSettings settings = TestHub::settings();
    settings.joinBytesPerSecond = 64 * 1024; // bursts of 256 KiB; the address 4 times that
    settings.maxRate = 0; // the churner may ask as fast as it likes: only the bytes are bounded
    TestHub hub(settings);
    QVERIFY(hub.start());
    // A room whose history is 50 messages of 4,000 characters: ~210 KB a join.
    RawPhoenixClient poster;
    QVERIFY(poster.openAccepted(hub.url(), userA, QStringLiteral("ana")));
    QVERIFY(poster.joinAndWait(general));
    const QString body(4000, u'x');
    for (int i = 0; i < 50; ++i)
        QVERIFY(poster.pushAndWait(general, QStringLiteral("new_msg"),
                                   QJsonObject { { "body", body } }));

    RawPhoenixClient churner;
    QVERIFY(churner.openAccepted(hub.url(), userB, QStringLiteral("bob")));
    QElapsedTimer clock;
    clock.start();
    int joined = 0;
    int limited = 0;
    for (int i = 0; i < 40; ++i) {
        const auto reply = churner.joinAndWait(general);
        QVERIFY(reply);
        if (reply->replyStatus() == QLatin1String("ok")) {
            ++joined;
            QVERIFY(churner.waitForReply(churner.leave(general)));
        } else {
            QCOMPARE(reasonOf(*reply), QStringLiteral("rate_limited"));
            QVERIFY(reply->replyResponse().value("retry_after_ms").toInteger() > 0);
            ++limited;
        }
    }
    qint64 received = 0;
    for (const QByteArray &frame : churner.rawFrames())
        received += frame.size();
    const double seconds = double(clock.elapsed()) / 1000.0;
    const double joinBytes = 50 * 4100.0;
    // The budget (a burst and the rate), one join of overshoot (a join starts while anything is
    // left), and the small replies of the refusals and leaves.
    const double allowed = settings.joinBytesPerSecond * (4 + seconds) + joinBytes + 40 * 200;
    QVERIFY2(received <= allowed,
             qPrintable(QStringLiteral("%1 bytes in %2 s, %3 joins, at most %4 allowed")
                            .arg(received)
                            .arg(seconds)
                            .arg(joined)
                            .arg(allowed)));
    QVERIFY(joined >= 1);
    QVERIFY(limited >= 1);
    // Meanwhile another host joins the same room and gets its history.
    auto other = connectFromOtherHost(hub, QStringLiteral("otherhost1"));
    QVERIFY(other->isUpgraded());
    const QByteArray reply = request(*other, R"(["1","1","room:general","phx_join",{}])", "1");
    QVERIFY2(reply.contains(R"("status":"ok")"), reply.left(200).constData());
    QVERIFY(reply.size() > 50 * 4000);
}

QTEST_MAIN(tst_HubLimits)
#include "tst_hublimits.moc"
