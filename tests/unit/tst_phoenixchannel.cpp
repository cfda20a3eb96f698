// PhoenixChannel against phoenix.js behaviour (reference §3), over a PhoenixSocket talking to a
// scripted WebSocket server on 127.0.0.1: join and rejoin, push buffering and timeouts, stale
// join_refs, leave, duplicate topics and presence sync across rejoins.

#include "client/presencesync.h"
#include "phoenixtestserver.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>

class tst_PhoenixChannel : public QObject
{
    Q_OBJECT

private slots:
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

void tst_PhoenixChannel::joinOkThenPushGetsReply()
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

void tst_PhoenixChannel::pushesBufferedUntilJoinedGetFreshRefs()
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

void tst_PhoenixChannel::bufferedPushThatTimedOutIsNeverSent()
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

void tst_PhoenixChannel::pushTimeoutFiresOnceAndLateReplyIsIgnored()
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

void tst_PhoenixChannel::staleJoinRefMessagesAreDropped()
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

void tst_PhoenixChannel::leaveSendsPhxLeaveAndClosesAtOnce()
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

void tst_PhoenixChannel::phxErrorErrorsAndRejoinsWithNewJoinRef()
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

void tst_PhoenixChannel::phxCloseClosesWithoutRejoin()
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

void tst_PhoenixChannel::joinErrorRetriesOnTheRejoinSchedule()
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

void tst_PhoenixChannel::joinTimeoutSendsLeaveAndRejoins()
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

void tst_PhoenixChannel::reconnectRejoinsImmediatelyWithNewJoinRef()
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

void tst_PhoenixChannel::duplicateTopicLeavesTheOldChannel()
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

void tst_PhoenixChannel::presenceSyncBuffersDiffsUntilStateOfCurrentJoin()
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

QTEST_GUILESS_MAIN(tst_PhoenixChannel)
#include "tst_phoenixchannel.moc"
