// PhoenixSocket against phoenix.js behaviour (reference §1, §2): refs, schedules, URL encoding,
// and — against a scripted WebSocket server on 127.0.0.1 — heartbeat, reconnect, refusals and
// the send buffer. The channel tests are in tst_phoenixchannel.cpp.

#include "phoenixtestserver.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QUrlQuery>
#include <QDateTime>

#include <algorithm>

class tst_PhoenixSocket : public QObject
{
    Q_OBJECT

private slots:
    // Pure functions.
    void makeRefReturnsIncreasingDecimalStrings();
    void reconnectSchedule_data();
    void reconnectSchedule();
    void rejoinSchedule_data();
    void rejoinSchedule();
    void timingsDefaultToPhoenixJs();
    void endPointUrl_data();
    void endPointUrl();

    // Socket against a scripted server.
    void opensWithParamsEvaluatedOnEveryConnect();
    void heartbeatFollowsReplies();
    void heartbeatTimeoutClosesWith1000AndReconnects();
    void unreachableHubBacksOffExactly();
    void refusalStopsReconnecting_data();
    void refusalStopsReconnecting();
    void signatureRefusalIsRetriedOnceThenFinal_data();
    void signatureRefusalIsRetriedOnceThenFinal();
    void everyConnectIsSignedForTheHubItVerified();
    void wsServerThatDoesNotSayWhichHubIsRetriedNotSigned();
    void hubFullRetriesOnTheBusyInterval();
    void disconnectStopsReconnecting();
    void sendBufferFlushesFifoSkippingStale();
};

void tst_PhoenixSocket::makeRefReturnsIncreasingDecimalStrings()
{
    PhoenixSocket socket(QUrl(QStringLiteral("ws://127.0.0.1:1/socket")), {});
    for (int i = 1; i <= 1000; ++i)
        QCOMPARE(socket.makeRef(), QString::number(i));
}

void tst_PhoenixSocket::reconnectSchedule_data()
{
    QTest::addColumn<int>("tries");
    QTest::addColumn<int>("ms");
    const int expected[] = { 10, 50, 100, 150, 200, 250, 500, 1000, 2000, 5000, 5000, 5000 };
    for (int i = 0; i < int(std::size(expected)); ++i)
        QTest::addRow("try %d", i + 1) << i + 1 << expected[i];
    QTest::addRow("try 1000") << 1000 << 5000;
    QTest::addRow("try 0 (phoenix.js: undefined || 5000)") << 0 << 5000;
}

void tst_PhoenixSocket::reconnectSchedule()
{
    QFETCH(int, tries);
    QFETCH(int, ms);
    QCOMPARE(PhoenixSocket::reconnectAfterMs(tries), ms);
    QCOMPARE(Timings().reconnectAfterMs(tries), ms);
}

void tst_PhoenixSocket::rejoinSchedule_data()
{
    QTest::addColumn<int>("tries");
    QTest::addColumn<int>("ms");
    const int expected[] = { 1000, 2000, 5000, 10000, 10000, 10000 };
    for (int i = 0; i < int(std::size(expected)); ++i)
        QTest::addRow("try %d", i + 1) << i + 1 << expected[i];
    QTest::addRow("try 0") << 0 << 10000;
}

void tst_PhoenixSocket::rejoinSchedule()
{
    QFETCH(int, tries);
    QFETCH(int, ms);
    QCOMPARE(PhoenixSocket::rejoinAfterMs(tries), ms);
    QCOMPARE(Timings().rejoinAfterMs(tries), ms);
}

void tst_PhoenixSocket::timingsDefaultToPhoenixJs()
{
    const Timings timings;
    QCOMPARE(timings.heartbeatIntervalMs, 30000);
    QCOMPARE(timings.heartbeatTimeoutMs, 30000);
    QCOMPARE(timings.pushTimeoutMs, 10000);
    QCOMPARE(timings.busyRetryMs, 5000);
    PhoenixSocket socket(QUrl(QStringLiteral("ws://127.0.0.1:1/socket")), {});
    QCOMPARE(socket.timings().heartbeatIntervalMs, 30000);
    QCOMPARE(socket.state(), PhoenixSocket::State::Closed);
    QCOMPARE(socket.nextReconnectIn(), -1);
}

void tst_PhoenixSocket::endPointUrl_data()
{
    QTest::addColumn<QString>("mount");
    QTest::addColumn<PhoenixSocket::Params>("params");
    QTest::addColumn<QString>("expected");

    QTest::addRow("no params") << "ws://127.0.0.1:4000/socket" << PhoenixSocket::Params {}
                               << "ws://127.0.0.1:4000/socket/websocket?vsn=2.0.0";
    QTest::addRow("space becomes percent-20, vsn last")
        << "ws://127.0.0.1:4000/socket"
        << PhoenixSocket::Params { { "user_id", "abcdefgh1" }, { "nick", "ana maria" } }
        << "ws://127.0.0.1:4000/socket/websocket?nick=ana%20maria&user_id=abcdefgh1&vsn=2.0.0";
    QTest::addRow("reserved characters")
        << "ws://h:1/socket" << PhoenixSocket::Params { { "nick", "a&b=c+d/e?f#g%h" } }
        << "ws://h:1/socket/websocket?nick=a%26b%3Dc%2Bd%2Fe%3Ff%23g%25h&vsn=2.0.0";
    QTest::addRow("encodeURIComponent keeps !'()*~-_.")
        << "ws://h:1/socket" << PhoenixSocket::Params { { "nick", "!'()*~-_." } }
        << "ws://h:1/socket/websocket?nick=!'()*~-_.&vsn=2.0.0";
    QTest::addRow("utf-8") << "ws://h:1/socket" << PhoenixSocket::Params { { "nick", "José 😀" } }
                           << "ws://h:1/socket/websocket?nick=Jos%C3%A9%20%F0%9F%98%80&vsn=2.0.0";
    QTest::addRow("key is encoded too")
        << "ws://h:1/socket" << PhoenixSocket::Params { { "my key", "v" } }
        << "ws://h:1/socket/websocket?my%20key=v&vsn=2.0.0";
    QTest::addRow("trailing slash on the mount")
        << "ws://h:1/socket/" << PhoenixSocket::Params { { "a", "1" } }
        << "ws://h:1/socket/websocket?a=1&vsn=2.0.0";
}

void tst_PhoenixSocket::endPointUrl()
{
    QFETCH(QString, mount);
    QFETCH(PhoenixSocket::Params, params);
    QFETCH(QString, expected);
    const QUrl url = PhoenixSocket::endPointUrl(QUrl(mount), params);
    QVERIFY(url.isValid());
    QCOMPARE(url.toString(QUrl::FullyEncoded), expected);

    PhoenixSocket socket(QUrl(mount), [params] { return params; });
    QCOMPARE(socket.endPointUrl().toString(QUrl::FullyEncoded), expected);
}

void tst_PhoenixSocket::opensWithParamsEvaluatedOnEveryConnect()
{
    ScriptedServer server;
    int evaluations = 0;
    PhoenixSocket socket(server.mountUrl(), [&evaluations] {
        ++evaluations;
        return PhoenixSocket::Params {
            { "user_id", QStringLiteral("user-%1").arg(evaluations, 4, 10, QLatin1Char('0')) },
            { "nick", "ana maria" }
        };
    });
    QSignalSpy states(&socket, &PhoenixSocket::stateChanged);
    QSignalSpy opened(&socket, &PhoenixSocket::opened);
    socket.connect();
    QCOMPARE(socket.state(), PhoenixSocket::State::Connecting);
    QVERIFY(opened.wait());
    QVERIFY(socket.isConnected());
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(1).at(0).value<PhoenixSocket::State>(), PhoenixSocket::State::Open);
    QTRY_COMPARE(server.requestUrls.size(), 1);
    QCOMPARE(server.requestUrls.at(0).path(), QStringLiteral("/socket/websocket"));
    QCOMPARE(server.requestUrls.at(0).query(QUrl::FullyEncoded),
             QStringLiteral("nick=ana%20maria&user_id=user-0001&vsn=2.0.0"));

    server.closeAll(1001, QStringLiteral("going away"));
    QTRY_COMPARE(opened.size(), 2);
    QCOMPARE(server.requestUrls.at(1).query(QUrl::FullyEncoded),
             QStringLiteral("nick=ana%20maria&user_id=user-0002&vsn=2.0.0"));
}

void tst_PhoenixSocket::heartbeatFollowsReplies()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    Timings timings;
    timings.heartbeatIntervalMs = 40;
    timings.heartbeatTimeoutMs = 2000;
    socket.setTimings(timings);
    socket.connect();
    QTRY_VERIFY(server.frames("heartbeat").size() >= 3);
    const QList<Frame> beats = server.frames("heartbeat");
    for (int i = 0; i < beats.size(); ++i) {
        QCOMPARE(beats.at(i).message.joinRef, QJsonValue(QJsonValue::Null));
        QCOMPARE(beats.at(i).message.topic, QStringLiteral("phoenix"));
        QCOMPARE(beats.at(i).message.payload, QJsonValue(QJsonObject()));
        if (i > 0)
            QVERIFY(beats.at(i).ref().toInt() > beats.at(i - 1).ref().toInt());
    }
    QCOMPARE(server.connections.size(), 1);
    QVERIFY(socket.isConnected());
}

void tst_PhoenixSocket::heartbeatTimeoutClosesWith1000AndReconnects()
{
    ScriptedServer server;
    server.replyHeartbeats = false;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    Timings timings;
    timings.heartbeatIntervalMs = 30;
    timings.heartbeatTimeoutMs = 30;
    socket.setTimings(timings);
    PhoenixChannel *channel = socket.channel("room:general");
    QSignalSpy errored(channel, &PhoenixChannel::errored);
    QSignalSpy closed(&socket, &PhoenixSocket::closed);
    QSignalSpy scheduled(&socket, &PhoenixSocket::reconnectScheduled);
    channel->join();
    socket.connect();

    QVERIFY(closed.wait());
    QCOMPARE(closed.at(0).at(0).toInt(), 1000);
    QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("heartbeat timeout"));
    QCOMPARE(errored.value(0).value(0).toString(), QStringLiteral("heartbeat_timeout"));
    QCOMPARE(scheduled.value(0).value(0).toInt(), 10);
    QTRY_COMPARE(server.clientCloseCodes.value(0), 1000);
    QCOMPARE(server.clientCloseReasons.value(0), QStringLiteral("heartbeat timeout"));
    QTRY_VERIFY(server.connections.size() >= 2);
    socket.disconnect();
}

void tst_PhoenixSocket::unreachableHubBacksOffExactly()
{
    QTcpServer probe; // find a port nobody listens on
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();

    PhoenixSocket socket(QUrl(QStringLiteral("ws://127.0.0.1:%1/socket").arg(port)), {});
    QSignalSpy scheduled(&socket, &PhoenixSocket::reconnectScheduled);
    QSignalSpy closed(&socket, &PhoenixSocket::closed);
    QSignalSpy opened(&socket, &PhoenixSocket::opened);
    socket.connect();
    QTRY_VERIFY(scheduled.size() >= 5);
    socket.disconnect();
    QList<int> delays;
    for (int i = 0; i < 5; ++i)
        delays << scheduled.at(i).at(0).toInt();
    QCOMPARE(delays, (QList<int> { 10, 50, 100, 150, 200 }));
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
    QCOMPARE(opened.size(), 0);
    QCOMPARE(socket.nextReconnectIn(), -1);
}

void tst_PhoenixSocket::refusalStopsReconnecting_data()
{
    QTest::addColumn<QString>("reason");
    QTest::addRow("bad_params") << "bad_params";
    QTest::addRow("unauthorized") << "unauthorized";
    QTest::addRow("bad_vsn") << "bad_vsn";
}

void tst_PhoenixSocket::refusalStopsReconnecting()
{
    QFETCH(QString, reason);
    ScriptedServer server;
    server.refuse = [reason](const QUrl &url) {
        return url.query().contains(QLatin1String("user_id=refused")) ? reason : QString();
    };
    PhoenixSocket refusedSocket(server.mountUrl(), [] { return userParams("refused1"); });
    QSignalSpy refused(&refusedSocket, &PhoenixSocket::refused);
    QSignalSpy closed(&refusedSocket, &PhoenixSocket::closed);
    QSignalSpy scheduled(&refusedSocket, &PhoenixSocket::reconnectScheduled);
    QSignalSpy attempts(&refusedSocket, &PhoenixSocket::stateChanged);
    refusedSocket.connect();
    QVERIFY(refused.wait());
    QCOMPARE(refused.at(0).at(0).toString(), reason);
    QCOMPARE(closed.at(0).at(0).toInt(), 1008);
    QCOMPARE(closed.at(0).at(1).toString(), reason);
    QCOMPARE(refusedSocket.refusalReason(), reason);
    QCOMPARE(refusedSocket.state(), PhoenixSocket::State::Closed);
    QCOMPARE(refusedSocket.nextReconnectIn(), -1);

    // A bounded wait without sleeping: another socket does several heartbeat round trips
    // (longer than the first backoff steps together) while the refused one must stay quiet.
    PhoenixSocket witness(server.mountUrl(), [] { return userParams("witness1"); });
    Timings fast;
    fast.heartbeatIntervalMs = 40;
    witness.setTimings(fast);
    witness.connect();
    QTRY_VERIFY(server.frames("heartbeat").size() >= 8);
    const auto connecting = [&attempts] {
        return std::count_if(attempts.cbegin(), attempts.cend(), [](const QList<QVariant> &args) {
            return args.at(0).value<PhoenixSocket::State>() == PhoenixSocket::State::Connecting;
        });
    };
    QCOMPARE(connecting(), 1);
    QCOMPARE(scheduled.size(), 0);
    QCOMPARE(server.connections.size(), 2); // the refused attempt and the witness

    // connect() tries again, once.
    refusedSocket.connect();
    QVERIFY(refused.wait());
    QCOMPARE(connecting(), 2);
    QCOMPARE(scheduled.size(), 0);
}

void tst_PhoenixSocket::signatureRefusalIsRetriedOnceThenFinal_data()
{
    QTest::addColumn<bool>("clockSkew");
    QTest::addRow("clock_skew") << true;
    QTest::addRow("replayed") << false;
}

void tst_PhoenixSocket::signatureRefusalIsRetriedOnceThenFinal()
{
    QFETCH(bool, clockSkew);
    // The "hub" runs an hour ahead of this machine and refuses every connect.
    const qint64 hubNow = QDateTime::currentMSecsSinceEpoch() + 3'600'000;
    ScriptedServer server;
    QList<QUrl> attempts;
    server.refuse = [&](const QUrl &url) {
        attempts << url;
        return clockSkew ? QStringLiteral("clock_skew:%1").arg(hubNow) : QStringLiteral("replayed");
    };
    PhoenixSocket socket(server.mountUrl(), [] { return PhoenixSocket::Params { { "nick", "ana" } }; });
    socket.setIdentity(Parley::Protocol::Identity::KeyPair::generate());
    QSignalSpy refused(&socket, &PhoenixSocket::refused);
    socket.connect();
    QVERIFY(refused.wait());
    // Signed again at once, once: two attempts, then a final refusal.
    QCOMPARE(attempts.size(), 2);
    QCOMPARE(refused.size(), 1);
    QCOMPARE(socket.nextReconnectIn(), -1);
    const auto tsOf = [](const QUrl &url) {
        return QUrlQuery(url).queryItemValue(QStringLiteral("ts")).toLongLong();
    };
    QVERIFY(QUrlQuery(attempts.at(0)).queryItemValue(QStringLiteral("sig"))
            != QUrlQuery(attempts.at(1)).queryItemValue(QStringLiteral("sig")));
    if (clockSkew) {
        // The second one is signed with the hub's time.
        QVERIFY2(qAbs(tsOf(attempts.at(1)) - hubNow) < 5000, qPrintable(attempts.at(1).toString()));
        QVERIFY(qAbs(socket.clockOffsetMs() - 3'600'000) < 5000);
    } else {
        QVERIFY(qAbs(tsOf(attempts.at(1)) - QDateTime::currentMSecsSinceEpoch()) < 5000);
    }
}

void tst_PhoenixSocket::everyConnectIsSignedForTheHubItVerified()
{
    namespace Identity = Parley::Protocol::Identity;
    ScriptedServer server;
    QList<QUrl> urls;
    server.refuse = [&urls](const QUrl &url) {
        urls << url;
        return QString();
    };
    const Identity::KeyPair key = Identity::KeyPair::generate();
    PhoenixSocket socket(server.mountUrl(), [] { return PhoenixSocket::Params { { "nick", "ana" } }; });
    socket.setIdentity(key);
    QSignalSpy opened(&socket, &PhoenixSocket::opened);
    socket.connect();
    QVERIFY(opened.wait());
    QCOMPARE(urls.size(), 1);
    const QUrlQuery query(urls.at(0));
    const std::optional<Identity::SignedConnect> signedConnect = Identity::parseSignedConnect(
            query.queryItemValue("key"), query.queryItemValue("ts"), query.queryItemValue("sig"),
            query.queryItemValue("user_id"));
    QVERIFY(signedConnect);
    QCOMPARE(signedConnect->userId, key.userId());
    // Over ws:// the socket asked the hub which hub it is (GET /hub) and signed for that id,
    // not for the Host it reaches.
    QCOMPARE(server.hubInfoRequests, 1);
    QCOMPARE(socket.boundHubId(), server.hubId);
    QVERIFY(Identity::verify(signedConnect->publicKey,
                             Identity::connectMessage(Identity::hubIdBinding(server.hubId),
                                                      signedConnect->ts, signedConnect->userId),
                             signedConnect->signature));
    const QString host = QStringLiteral("127.0.0.1:%1").arg(server.mountUrl().port());
    QVERIFY(
        !Identity::verify(signedConnect->publicKey,
                          Identity::connectMessage(host, signedConnect->ts, signedConnect->userId),
                          signedConnect->signature));
    QVERIFY(qAbs(signedConnect->ts - QDateTime::currentMSecsSinceEpoch()) < 5000);
}

void tst_PhoenixSocket::wsServerThatDoesNotSayWhichHubIsRetriedNotSigned()
{
    // Nothing to bind the signature to: no WebSocket is opened (no signed connect leaves), the
    // attempt counts as failed and is retried with the backoff, asking again each time.
    ScriptedServer server;
    server.answerHubInfo = false;
    PhoenixSocket socket(server.mountUrl(), [] {
        return PhoenixSocket::Params { { "nick", "ana" } };
    });
    Timings timings;
    timings.reconnectSteps = { 20, 20, 20 };
    socket.setTimings(timings);
    socket.setIdentity(Parley::Protocol::Identity::KeyPair::generate());
    QSignalSpy closed(&socket, &PhoenixSocket::closed);
    QSignalSpy errors(&socket, &PhoenixSocket::errorOccurred);
    QSignalSpy scheduled(&socket, &PhoenixSocket::reconnectScheduled);
    socket.connect();
    QTRY_VERIFY(server.hubInfoRequests >= 3);
    QVERIFY(closed.size() >= 2);
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
    QVERIFY(!errors.isEmpty());
    QVERIFY(scheduled.size() >= 2);
    QCOMPARE(server.connections.size(), 0);
    QCOMPARE(socket.boundHubId(), QString());
    // The server starts answering: the next attempt signs for its id and gets in.
    server.answerHubInfo = true;
    QSignalSpy opened(&socket, &PhoenixSocket::opened);
    QVERIFY(opened.wait());
    QCOMPARE(socket.boundHubId(), server.hubId);
    socket.disconnect();
    QTRY_COMPARE(socket.state(), PhoenixSocket::State::Closed);
}

void tst_PhoenixSocket::hubFullRetriesOnTheBusyInterval()
{
    ScriptedServer server;
    // The first two attempts find the hub full, the third gets in.
    server.refuse = [&server](const QUrl &) {
        return server.connections.size() <= 2 ? QStringLiteral("hub_full") : QString();
    };
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    Timings timings;
    timings.busyRetryMs = 80;
    socket.setTimings(timings);
    QSignalSpy refused(&socket, &PhoenixSocket::refused);
    QSignalSpy scheduled(&socket, &PhoenixSocket::reconnectScheduled);
    QSignalSpy opened(&socket, &PhoenixSocket::opened);
    socket.connect();
    QVERIFY(refused.wait());
    QCOMPARE(refused.at(0).at(0).toString(), QStringLiteral("hub_full"));
    QCOMPARE(scheduled.size(), 1);
    QCOMPARE(scheduled.at(0).at(0).toInt(), 80);
    QVERIFY(socket.nextReconnectIn() > 0 && socket.nextReconnectIn() <= 80);
    QTRY_COMPARE(refused.size(), 2);
    QCOMPARE(scheduled.at(1).at(0).toInt(), 80);
    QVERIFY(opened.wait());
    QCOMPARE(server.connections.size(), 3);
    QCOMPARE(socket.refusalReason(), QString());
    socket.disconnect();
}

void tst_PhoenixSocket::disconnectStopsReconnecting()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    QSignalSpy opened(&socket, &PhoenixSocket::opened);
    QSignalSpy closed(&socket, &PhoenixSocket::closed);
    QSignalSpy scheduled(&socket, &PhoenixSocket::reconnectScheduled);
    socket.connect();
    QVERIFY(opened.wait());
    socket.disconnect();
    QVERIFY(socket.state() == PhoenixSocket::State::Closing
            || socket.state() == PhoenixSocket::State::Closed);
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 1000);
    QCOMPARE(socket.state(), PhoenixSocket::State::Closed);
    QTRY_COMPARE(server.clientCloseCodes.value(0), 1000);
    QCOMPARE(scheduled.size(), 0);
    QCOMPARE(socket.nextReconnectIn(), -1);

    socket.connect();
    QVERIFY(opened.wait());
    QCOMPARE(server.connections.size(), 2);

    // Also while still connecting.
    socket.disconnect();
    QTRY_COMPARE(closed.size(), 2);
    socket.connect();
    socket.disconnect();
    QTRY_COMPARE(closed.size(), 3);
    QCOMPARE(socket.state(), PhoenixSocket::State::Closed);
    QCOMPARE(scheduled.size(), 0);
    QCOMPARE(socket.nextReconnectIn(), -1);
}

void tst_PhoenixSocket::sendBufferFlushesFifoSkippingStale()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    PhoenixChannel *a = socket.channel("room:a");
    PhoenixChannel *b = socket.channel("room:b");
    a->join(); // buffered, goes stale when a leaves
    b->join();
    QSignalSpy aClosed(a, &PhoenixChannel::closed);
    a->leave(); // buffered; a leave is always sent
    QCOMPARE(aClosed.size(), 1);
    QCOMPARE(a->state(), PhoenixChannel::State::Closed);

    QSignalSpy bJoined(b, &PhoenixChannel::joined);
    socket.connect();
    QVERIFY(bJoined.wait());
    QTRY_COMPARE(server.received.size(), 2);
    QCOMPARE(server.received.at(0).message.event, QStringLiteral("phx_join"));
    QCOMPARE(server.received.at(0).message.topic, QStringLiteral("room:b"));
    QCOMPARE(server.received.at(1).message.event, QStringLiteral("phx_leave"));
    QCOMPARE(server.received.at(1).message.topic, QStringLiteral("room:a"));
    QCOMPARE(server.received.at(1).joinRef(), QStringLiteral("1"));
    QCOMPARE(bJoined.at(0).at(0).toJsonObject().value("joined").toString(),
             QStringLiteral("room:b"));
}

QTEST_GUILESS_MAIN(tst_PhoenixSocket)
#include "tst_phoenixsocket.moc"
