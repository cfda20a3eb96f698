// PhoenixSocket and PhoenixChannel against phoenix.js behaviour (reference §1, §2, §3): refs,
// schedules, URL encoding, and — against a scripted WebSocket server on 127.0.0.1 — heartbeat,
// reconnect, refusals, rejoin, push buffering and timeouts, stale join_refs, leave, send buffer.

#include "client/phoenixchannel.h"
#include "client/phoenixsocket.h"
#include "client/presencesync.h"
#include "protocol/codec.h"
#include "protocol/events.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <functional>

using namespace Parley::Client;
using Parley::Protocol::Message;

struct Frame
{
    int connection = -1;
    Message message;
    QString joinRef() const { return message.joinRef.toString(); }
    QString ref() const { return message.ref.toString(); }
};

// A WebSocket server on 127.0.0.1 that speaks just enough of the hub's protocol: it answers
// heartbeats, joins (per topic: ok, error or silence) and leaves, records every frame, and can
// refuse connections with 1008 the way the hub does.
class ScriptedServer : public QObject
{
    Q_OBJECT
public:
    enum class Join { Ok, Error, Ignore };

    ScriptedServer()
        : m_server(QStringLiteral("scripted"), QWebSocketServer::NonSecureMode)
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
        connect(&m_server, &QWebSocketServer::newConnection, this,
                &ScriptedServer::onNewConnection);
    }

    QUrl mountUrl() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/socket").arg(m_server.serverPort()));
    }

    QList<Frame> frames(const QString &event, const QString &topic = {}) const
    {
        QList<Frame> result;
        for (const Frame &frame : received) {
            if (frame.message.event == event && (topic.isEmpty() || frame.message.topic == topic))
                result.append(frame);
        }
        return result;
    }

    void send(const Message &message, int connection = -1)
    {
        QWebSocket *ws = connections.value(connection < 0 ? connections.size() - 1 : connection);
        QVERIFY(ws);
        ws->sendTextMessage(QString::fromUtf8(Parley::Protocol::encode(message)));
    }

    void reply(const Frame &to, const QString &status, const QJsonObject &response = {})
    {
        send(Parley::Protocol::makeReply(to.message.joinRef, to.message.ref, to.message.topic,
                                         status, response),
             to.connection);
    }

    void closeAll(quint16 code, const QString &reason)
    {
        for (QWebSocket *ws : std::as_const(connections)) {
            if (ws->state() == QAbstractSocket::ConnectedState)
                ws->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
        }
    }

    QList<Frame> received;
    QList<QWebSocket *> connections;
    QList<QUrl> requestUrls;
    QList<int> clientCloseCodes;
    QStringList clientCloseReasons;
    bool replyHeartbeats = true;
    QHash<QString, Join> joins; // topic → policy, default Ok
    QHash<QString, QJsonObject> joinErrors; // topic → error response
    std::function<QString(const QUrl &)> refuse; // non-empty reason: close 1008 with it

signals:
    void frameReceived(const Frame &frame);

private:
    void onNewConnection()
    {
        while (QWebSocket *ws = m_server.nextPendingConnection()) {
            ws->setParent(this);
            const int index = connections.size();
            connections.append(ws);
            requestUrls.append(ws->requestUrl());
            connect(ws, &QWebSocket::textMessageReceived, this,
                    [this, index](const QString &text) { onText(index, text); });
            connect(ws, &QWebSocket::disconnected, this, [this, ws] {
                clientCloseCodes.append(ws->closeCode());
                clientCloseReasons.append(ws->closeReason());
            });
            const QString reason = refuse ? refuse(ws->requestUrl()) : QString();
            if (!reason.isEmpty())
                ws->close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
        }
    }

    void onText(int connection, const QString &text)
    {
        const std::optional<Message> message = Parley::Protocol::decode(text.toUtf8());
        QVERIFY(message);
        const Frame frame { connection, *message };
        received.append(frame);
        using namespace Parley::Protocol;
        if (message->event == Event::Heartbeat && replyHeartbeats) {
            reply(frame, QStringLiteral("ok"));
        } else if (message->event == Event::Join) {
            const Join policy = joins.value(message->topic, Join::Ok);
            if (policy == Join::Ok)
                reply(frame, QStringLiteral("ok"), QJsonObject { { "joined", message->topic } });
            else if (policy == Join::Error)
                reply(frame, QStringLiteral("error"), joinErrors.value(message->topic));
        } else if (message->event == Event::Leave) {
            reply(frame, QStringLiteral("ok"));
        }
        emit frameReceived(frame);
    }

    QWebSocketServer m_server;
};

namespace {

PhoenixSocket::Params userParams(const QString &userId = QStringLiteral("user-0001"))
{
    return { { QStringLiteral("user_id"), userId },
             { QStringLiteral("nick"), QStringLiteral("ana") } };
}

// A reply collector for push callbacks.
struct Replies
{
    QStringList statuses;
    QList<QJsonObject> responses;
    PhoenixChannel::ReplyCallback callback()
    {
        return [this](const QString &status, const QJsonObject &response) {
            statuses << status;
            responses << response;
        };
    }
};

} // namespace

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
    void hubFullRetriesOnTheBusyInterval();
    void disconnectStopsReconnecting();
    void sendBufferFlushesFifoSkippingStale();

    // Channels against a scripted server.
    void joinOkThenPushGetsReply();
    void pushesBufferedUntilJoinedGetFreshRefs();
    void bufferedPushThatTimedOutIsNeverSent();
    void pushTimeoutFiresOnceAndLateReplyIsIgnored();
    void staleJoinRefMessagesAreDropped();
    void leaveSendsPhxLeaveAndClosesAtOnce();
    void phxErrorErrorsAndRejoinsWithNewJoinRef();
    void phxCloseClosesWithoutRejoin();
    void joinErrorRetriesOnTheRejoinSchedule();
    void joinTimeoutSendsLeaveAndRejoins();
    void reconnectRejoinsImmediatelyWithNewJoinRef();
    void duplicateTopicLeavesTheOldChannel();
    void presenceSyncBuffersDiffsUntilStateOfCurrentJoin();
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

void tst_PhoenixSocket::joinOkThenPushGetsReply()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    int paramsCalls = 0;
    PhoenixChannel *channel = socket.channel("room:general", [&paramsCalls] {
        ++paramsCalls;
        return QJsonObject { { "after_id", paramsCalls } };
    });
    QSignalSpy joined(channel, &PhoenixChannel::joined);
    QSignalSpy states(channel, &PhoenixChannel::stateChanged);
    socket.connect();
    QVERIFY(channel->join());
    QVERIFY(!channel->join()); // once per channel
    QCOMPARE(channel->state(), PhoenixChannel::State::Joining);
    QVERIFY(joined.wait());
    QCOMPARE(channel->state(), PhoenixChannel::State::Joined);
    const Frame join = server.frames("phx_join").at(0);
    QCOMPARE(join.joinRef(), join.ref());
    QCOMPARE(join.joinRef(), channel->joinRef());
    QCOMPARE(join.message.payload.toObject().value("after_id").toInt(), 1);

    Replies replies;
    connect(&server, &ScriptedServer::frameReceived, this, [&server](const Frame &frame) {
        if (frame.message.event == QLatin1String("ping"))
            server.reply(frame, "ok", QJsonObject { { "pong", frame.message.payload } });
    });
    channel->push("ping", QJsonObject { { "n", 1 } }, replies.callback());
    QTRY_COMPARE(replies.statuses.size(), 1);
    QCOMPARE(replies.statuses.at(0), QStringLiteral("ok"));
    QCOMPARE(replies.responses.at(0).value("pong").toObject().value("n").toInt(), 1);
    const Frame ping = server.frames("ping").at(0);
    QCOMPARE(ping.joinRef(), channel->joinRef());
    QVERIFY(ping.ref().toInt() > join.ref().toInt());
}

void tst_PhoenixSocket::pushesBufferedUntilJoinedGetFreshRefs()
{
    ScriptedServer server;
    server.joins.insert("room:slow", ScriptedServer::Join::Ignore);
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    PhoenixChannel *channel = socket.channel("room:slow");
    QSignalSpy opened(&socket, &PhoenixSocket::opened);
    socket.connect();
    QVERIFY(opened.wait());
    channel->join(); // ref 1
    Replies a, b;
    channel->push("a", QJsonObject { { "n", 1 } }, a.callback()); // buffered, takes ref 2
    channel->push("b", QJsonObject { { "n", 2 } }, b.callback()); // buffered, takes ref 3
    QTRY_COMPARE(server.frames("phx_join").size(), 1);
    const Frame join = server.frames("phx_join").at(0);
    QCOMPARE(join.ref(), QStringLiteral("1"));

    QSignalSpy joined(channel, &PhoenixChannel::joined);
    server.reply(join, "ok");
    QVERIFY(joined.wait());
    QTRY_COMPARE(server.received.size(), 3);
    QCOMPARE(server.received.at(1).message.event, QStringLiteral("a"));
    QCOMPARE(server.received.at(2).message.event, QStringLiteral("b"));
    QCOMPARE(server.received.at(1).ref(), QStringLiteral("4")); // fresh ref at send time
    QCOMPARE(server.received.at(2).ref(), QStringLiteral("5"));
    QCOMPARE(server.received.at(1).joinRef(), QStringLiteral("1"));

    server.reply(server.received.at(2), "error", QJsonObject { { "reason", "invalid_body" } });
    server.reply(server.received.at(1), "ok");
    QTRY_COMPARE(a.statuses, QStringList { "ok" });
    QTRY_COMPARE(b.statuses, QStringList { "error" });
    QCOMPARE(b.responses.at(0).value("reason").toString(), QStringLiteral("invalid_body"));
}

void tst_PhoenixSocket::bufferedPushThatTimedOutIsNeverSent()
{
    ScriptedServer server;
    server.joins.insert("room:slow", ScriptedServer::Join::Ignore);
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    PhoenixChannel *channel = socket.channel("room:slow");
    socket.connect();
    channel->join();
    Replies late, marker;
    channel->push("late", {}, late.callback(), 30);
    QTRY_COMPARE(late.statuses, QStringList { "timeout" });
    QTRY_COMPARE(server.frames("phx_join").size(), 1);

    QSignalSpy joined(channel, &PhoenixChannel::joined);
    server.reply(server.frames("phx_join").at(0), "ok");
    QVERIFY(joined.wait());
    connect(&server, &ScriptedServer::frameReceived, this, [&server](const Frame &frame) {
        if (frame.message.event == QLatin1String("marker"))
            server.reply(frame, "ok");
    });
    channel->push("marker", {}, marker.callback());
    QTRY_COMPARE(marker.statuses, QStringList { "ok" });
    QCOMPARE(server.frames("late").size(), 0);
    QCOMPARE(late.statuses, QStringList { "timeout" });
}

void tst_PhoenixSocket::pushTimeoutFiresOnceAndLateReplyIsIgnored()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    PhoenixChannel *channel = socket.channel("room:general");
    QSignalSpy joined(channel, &PhoenixChannel::joined);
    socket.connect();
    channel->join();
    QVERIFY(joined.wait());

    Replies silent, marker;
    QObject context;
    bool contextCallbackRan = false;
    channel->push("silent", {}, silent.callback(), 40);
    {
        auto doomed = std::make_unique<QObject>();
        channel->push(
            "silent2", {}, doomed.get(),
            [&contextCallbackRan](const QString &, const QJsonObject &) {
                contextCallbackRan = true;
            },
            40);
    } // its context is gone before the timeout
    QTRY_COMPARE(silent.statuses, QStringList { "timeout" });
    QCOMPARE(silent.responses.at(0), QJsonObject());

    connect(&server, &ScriptedServer::frameReceived, &context, [&server](const Frame &frame) {
        if (frame.message.event == QLatin1String("marker"))
            server.reply(frame, "ok");
    });
    server.reply(server.frames("silent").at(0), "ok"); // too late
    channel->push("marker", {}, marker.callback());
    QTRY_COMPARE(marker.statuses, QStringList { "ok" });
    QCOMPARE(silent.statuses, QStringList { "timeout" });
    QVERIFY(!contextCallbackRan);
}

void tst_PhoenixSocket::staleJoinRefMessagesAreDropped()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    PhoenixChannel *channel = socket.channel("room:general");
    QSignalSpy joined(channel, &PhoenixChannel::joined);
    QSignalSpy messages(channel, &PhoenixChannel::messageReceived);
    QSignalSpy closed(channel, &PhoenixChannel::closed);
    socket.connect();
    channel->join();
    QVERIFY(joined.wait());
    const QString jr = channel->joinRef();

    using Parley::Protocol::makeBroadcast;
    using Parley::Protocol::makePush;
    server.send(makePush(QStringLiteral("999"), "room:general", "new_msg", { { "n", 1 } }));
    server.send(Message { QStringLiteral("999"), QStringLiteral("999"), "room:general", "phx_close",
                          QJsonObject() }); // e.g. the old join after a duplicate
    server.send(makePush(jr, "room:general", "new_msg", { { "n", 2 } }));
    server.send(makePush(QString(), "room:general", "new_msg", { { "n", 3 } })); // "" = no ref
    server.send(makeBroadcast("room:other", "new_msg", { { "n", 4 } }));
    server.send(makeBroadcast("room:general", "new_msg", { { "n", 5 } }));
    QTRY_COMPARE(messages.size(), 3);
    QCOMPARE(messages.at(0).at(1).toJsonObject().value("n").toInt(), 2);
    QCOMPARE(messages.at(1).at(1).toJsonObject().value("n").toInt(), 3);
    QCOMPARE(messages.at(2).at(1).toJsonObject().value("n").toInt(), 5);
    QCOMPARE(messages.at(2).at(0).toString(), QStringLiteral("new_msg"));
    QCOMPARE(closed.size(), 0);
    QCOMPARE(channel->state(), PhoenixChannel::State::Joined);
}

void tst_PhoenixSocket::leaveSendsPhxLeaveAndClosesAtOnce()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    PhoenixChannel *channel = socket.channel("room:general");
    QSignalSpy joined(channel, &PhoenixChannel::joined);
    QSignalSpy closed(channel, &PhoenixChannel::closed);
    QSignalSpy messages(channel, &PhoenixChannel::messageReceived);
    socket.connect();
    channel->join();
    QVERIFY(joined.wait());
    const QString jr = channel->joinRef();

    channel->leave();
    QCOMPARE(closed.size(), 1); // before the hub even saw the frame
    QCOMPARE(channel->state(), PhoenixChannel::State::Closed);
    QVERIFY(!socket.channels().contains(channel));
    QTRY_COMPARE(server.frames("phx_leave").size(), 1);
    QCOMPARE(server.frames("phx_leave").at(0).joinRef(), jr);

    int broadcasts = 0;
    connect(&socket, &PhoenixSocket::messageReceived, this,
            [&broadcasts](const Message &m) { broadcasts += m.event == QLatin1String("new_msg"); });
    server.send(Parley::Protocol::makeBroadcast("room:general", "new_msg", { { "n", 1 } }));
    QTRY_COMPARE(broadcasts, 1);
    QCOMPARE(messages.size(), 0); // no longer routed
    delete channel;
    QCOMPARE(socket.channels().size(), 0);
}

void tst_PhoenixSocket::phxErrorErrorsAndRejoinsWithNewJoinRef()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    Timings timings;
    timings.rejoinSteps = { 30 };
    socket.setTimings(timings);
    PhoenixChannel *channel = socket.channel("room:general");
    QSignalSpy joined(channel, &PhoenixChannel::joined);
    QSignalSpy errored(channel, &PhoenixChannel::errored);
    QSignalSpy rejoin(channel, &PhoenixChannel::rejoinScheduled);
    socket.connect();
    channel->join();
    QVERIFY(joined.wait());
    const QString first = channel->joinRef();

    server.send(Message { first, first, "room:general", "phx_error",
                          QJsonObject { { "reason", "channel_crash" } } });
    QVERIFY(errored.wait());
    QCOMPARE(errored.at(0).at(0).toString(), QStringLiteral("channel_crash"));
    QCOMPARE(channel->state(), PhoenixChannel::State::Errored);
    QCOMPARE(rejoin.value(0).value(0).toInt(), 30);
    QVERIFY(joined.wait());
    QCOMPARE(server.frames("phx_join").size(), 2);
    QVERIFY(channel->joinRef() != first);
    QCOMPARE(server.frames("phx_join").at(1).joinRef(), channel->joinRef());
}

void tst_PhoenixSocket::phxCloseClosesWithoutRejoin()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    Timings timings;
    timings.rejoinSteps = { 1 };
    timings.rejoinMaxMs = 1;
    socket.setTimings(timings);
    PhoenixChannel *channel = socket.channel("room:general");
    QSignalSpy joined(channel, &PhoenixChannel::joined);
    QSignalSpy closed(channel, &PhoenixChannel::closed);
    socket.connect();
    channel->join();
    QVERIFY(joined.wait());
    const QString jr = channel->joinRef();
    server.send(Message { jr, jr, "room:general", "phx_close", QJsonObject() });
    QVERIFY(closed.wait());
    QCOMPARE(channel->state(), PhoenixChannel::State::Closed);

    // Join another topic and wait for it; the closed channel must not have rejoined meanwhile.
    PhoenixChannel *other = socket.channel("room:other");
    QSignalSpy otherJoined(other, &PhoenixChannel::joined);
    other->join();
    QVERIFY(otherJoined.wait());
    QCOMPARE(server.frames("phx_join", "room:general").size(), 1);
    QCOMPARE(joined.size(), 1);
}

void tst_PhoenixSocket::joinErrorRetriesOnTheRejoinSchedule()
{
    ScriptedServer server;
    server.joins.insert("room:locked", ScriptedServer::Join::Error);
    server.joinErrors.insert("room:locked", QJsonObject { { "reason", "unauthorized" } });
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    Timings timings;
    timings.rejoinSteps = { 20, 40 };
    timings.rejoinMaxMs = 60;
    socket.setTimings(timings);
    PhoenixChannel *channel = socket.channel("room:locked");
    QSignalSpy failed(channel, &PhoenixChannel::joinFailed);
    QSignalSpy rejoin(channel, &PhoenixChannel::rejoinScheduled);
    socket.connect();
    channel->join();
    QTRY_VERIFY(rejoin.size() >= 4);
    channel->leave();
    QCOMPARE(failed.at(0).at(0).toJsonObject().value("reason").toString(),
             QStringLiteral("unauthorized"));
    QList<int> delays;
    for (int i = 0; i < 4; ++i)
        delays << rejoin.at(i).at(0).toInt();
    QCOMPARE(delays, (QList<int> { 20, 40, 60, 60 }));
    QCOMPARE(channel->state(), PhoenixChannel::State::Closed);
    // Every attempt had its own join_ref.
    const QList<Frame> joins = server.frames("phx_join");
    QVERIFY(joins.size() >= 4);
    for (int i = 1; i < joins.size(); ++i)
        QVERIFY(joins.at(i).joinRef() != joins.at(i - 1).joinRef());
}

void tst_PhoenixSocket::joinTimeoutSendsLeaveAndRejoins()
{
    ScriptedServer server;
    server.joins.insert("room:slow", ScriptedServer::Join::Ignore);
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    Timings timings;
    timings.rejoinSteps = { 20 };
    socket.setTimings(timings);
    PhoenixChannel *channel = socket.channel("room:slow");
    QSignalSpy timedOut(channel, &PhoenixChannel::joinTimedOut);
    socket.connect();
    channel->join(50);
    QVERIFY(timedOut.wait());
    QCOMPARE(channel->state(), PhoenixChannel::State::Errored);
    QCOMPARE(channel->joinRef(), QString());
    QTRY_VERIFY(server.frames("phx_leave").size() >= 1);
    const QString firstJoinRef = server.frames("phx_join").at(0).joinRef();
    QCOMPARE(server.frames("phx_leave").at(0).joinRef(), firstJoinRef);
    QTRY_VERIFY(server.frames("phx_join").size() >= 2);
    QVERIFY(server.frames("phx_join").at(1).joinRef() != firstJoinRef);
    channel->leave();
}

void tst_PhoenixSocket::reconnectRejoinsImmediatelyWithNewJoinRef()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    PhoenixChannel *channel = socket.channel("room:general");
    QSignalSpy joined(channel, &PhoenixChannel::joined);
    QSignalSpy errored(channel, &PhoenixChannel::errored);
    QSignalSpy scheduled(&socket, &PhoenixSocket::reconnectScheduled);
    QSignalSpy closed(&socket, &PhoenixSocket::closed);
    QSignalSpy rejoinScheduled(channel, &PhoenixChannel::rejoinScheduled);
    socket.connect();
    channel->join();
    QVERIFY(joined.wait());
    const QString first = channel->joinRef();

    Replies offline;
    // (Not 1012: Qt 6.4's QWebSocket rejects 1012 as an invalid close code and reports 1002.)
    server.closeAll(1011, QStringLiteral("internal error"));
    QVERIFY(closed.wait());
    QCOMPARE(closed.at(0).at(0).toInt(), 1011);
    QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("internal error"));
    QCOMPARE(errored.value(0).value(0).toString(), QStringLiteral("connection_closed"));
    QCOMPARE(scheduled.value(0).value(0).toInt(), 10);
    channel->push("while_offline", QJsonObject { { "n", 1 } }, offline.callback());

    QVERIFY(joined.wait());
    QCOMPARE(server.connections.size(), 2);
    QVERIFY(channel->joinRef() != first);
    const Frame rejoin = server.frames("phx_join").at(1);
    QCOMPARE(rejoin.connection, 1);
    QCOMPARE(rejoin.joinRef(), channel->joinRef());
    QTRY_COMPARE(server.frames("while_offline").size(), 1);
    QCOMPARE(server.frames("while_offline").at(0).joinRef(), channel->joinRef());
    // The channel saw the socket closed: no rejoin timer, the rejoin came with the open.
    QCOMPARE(rejoinScheduled.size(), 0);

    // Tries were reset by the open: the next drop is retried after 10 ms again.
    server.closeAll(1001, QStringLiteral("going away"));
    QTRY_COMPARE(scheduled.size(), 2);
    QCOMPARE(scheduled.at(1).at(0).toInt(), 10);
}

void tst_PhoenixSocket::duplicateTopicLeavesTheOldChannel()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    PhoenixChannel *first = socket.channel("room:x");
    QSignalSpy firstJoined(first, &PhoenixChannel::joined);
    QSignalSpy firstClosed(first, &PhoenixChannel::closed);
    socket.connect();
    first->join();
    QVERIFY(firstJoined.wait());
    const QString oldRef = first->joinRef();

    PhoenixChannel *second = socket.channel("room:x");
    QSignalSpy secondJoined(second, &PhoenixChannel::joined);
    second->join();
    QCOMPARE(firstClosed.size(), 1);
    QVERIFY(secondJoined.wait());
    QCOMPARE(server.received.at(server.received.size() - 2).message.event,
             QStringLiteral("phx_leave"));
    QCOMPARE(server.received.at(server.received.size() - 2).joinRef(), oldRef);
    QCOMPARE(server.received.last().message.event, QStringLiteral("phx_join"));
    QCOMPARE(server.received.last().joinRef(), second->joinRef());
}

void tst_PhoenixSocket::presenceSyncBuffersDiffsUntilStateOfCurrentJoin()
{
    ScriptedServer server;
    PhoenixSocket socket(server.mountUrl(), [] { return userParams(); });
    Timings timings;
    timings.rejoinSteps = { 10 };
    socket.setTimings(timings);
    PhoenixChannel *channel = socket.channel("room:general");
    PresenceSync presence(channel);
    QSignalSpy synced(&presence, &PresenceSync::synced);
    QSignalSpy joined(channel, &PhoenixChannel::joined);
    socket.connect();
    channel->join();
    QVERIFY(joined.wait());

    const auto metas = [](const QString &ref) {
        return QJsonObject { { "metas", QJsonArray { QJsonObject { { "phx_ref", ref } } } } };
    };
    using Parley::Protocol::makeBroadcast;
    using Parley::Protocol::makePush;
    server.send(makeBroadcast(
        "room:general", "presence_diff",
        { { "joins", QJsonObject { { "bob", metas("b1") } } }, { "leaves", QJsonObject() } }));
    server.send(
        makePush(channel->joinRef(), "room:general", "presence_state", { { "ana", metas("a1") } }));
    QVERIFY(synced.wait());
    QCOMPARE(synced.size(), 1);
    QCOMPARE(presence.state().keys(), (QStringList { "ana", "bob" }));

    // The channel crashes and rejoins: diffs wait for the state of the new join.
    const QString first = channel->joinRef();
    server.send(Message { first, first, "room:general", "phx_error", QJsonObject() });
    QVERIFY(joined.wait());
    server.send(makeBroadcast(
        "room:general", "presence_diff",
        { { "joins", QJsonObject { { "cy", metas("c1") } } }, { "leaves", QJsonObject() } }));
    server.send(makePush(first, "room:general", "presence_state", { { "old", metas("o1") } }));
    server.send(
        makePush(channel->joinRef(), "room:general", "presence_state", { { "ana", metas("a2") } }));
    QTRY_COMPARE(synced.size(), 2);
    QCOMPARE(presence.state().keys(), (QStringList { "ana", "cy" }));
    QCOMPARE(presence.joinRef(), channel->joinRef());
}

QTEST_GUILESS_MAIN(tst_PhoenixSocket)
#include "tst_phoenixsocket.moc"
