// The hub's channel layer on the wire, against a real HubRunner: join, leave, duplicate join
// and stale join_refs as Phoenix does them, unmatched topics, the channel cap, unknown events
// and dm membership. The lobby is in tst_hublobby, new_msg and rate limits in tst_hubmessages.

#include "hubchannelstesthelpers.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <memory>

using namespace HubChannelsTest;

class tst_HubChannels : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void joinRepliesOkThenLeaveRepliesAndCloses();
    void leaveOfTopicNotJoinedRepliesOk();
    void duplicateJoinRepliesToNewThenClosesOld();
    void duplicateJoinBroadcastsOnce();
    void staleJoinRefFramesAreIgnored();
    void nullJoinRefIsAccepted();
    void badTopicsGetUnmatchedTopic_data();
    void badTopicsGetUnmatchedTopic();
    void eventOnTopicNotJoinedGetsUnmatchedTopic();
    void joinOfMissingRoomIsNoSuchRoom();
    void channelCapRefusesJoinBeyondMax();
    void unknownEventGetsUnknownEvent_data();
    void unknownEventGetsUnknownEvent();
    void dmJoinNeedsMembership();

private:
    std::unique_ptr<TestHub> m_hub; // a fresh hub with default limits for every test
};

void tst_HubChannels::init()
{
    m_hub = std::make_unique<TestHub>();
    QVERIFY(m_hub->start());
}

void tst_HubChannels::cleanup()
{
    m_hub.reset();
}

void tst_HubChannels::joinRepliesOkThenLeaveRepliesAndCloses()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));

    const QString joinRef = client.join(general);
    const auto joined = client.waitForReply(joinRef);
    QVERIFY2(joined, qPrintable(client.dump()));
    QCOMPARE(joined->joinRef, QJsonValue(joinRef));
    QCOMPARE(joined->topic, general);
    QCOMPARE(joined->replyStatus(), QStringLiteral("ok"));
    const QJsonObject response = joined->replyResponse();
    QCOMPARE(keysOf(response), setOf({ "room", "messages", "has_more" }));
    QCOMPARE(response.value("room").toObject(),
             (QJsonObject { { "name", "general" }, { "title", "General" }, { "locked", false } }));
    QCOMPARE(response.value("messages").toArray(), QJsonArray());
    QCOMPARE(response.value("has_more"), QJsonValue(false));

    // Then the room's presence, pushed with the join_ref.
    const auto state = client.waitForFrame(RawPhoenixClient::isEvent(general, "presence_state"));
    QVERIFY2(state, qPrintable(client.dump()));
    QCOMPARE(state->joinRef, QJsonValue(joinRef));
    QVERIFY(state->ref.isNull());
    QVERIFY(state->payloadObject().contains(userA));

    const qsizetype beforeLeave = client.frames().size();
    const QString leaveRef = client.leave(general);
    QVERIFY(
        client.waitForFrame(RawPhoenixClient::isEvent(general, "phx_close"), 5000, beforeLeave));
    const QList<QByteArray> raw = client.rawFrames().mid(beforeLeave);
    // A presence_diff for our own leave may come too; the reply and then phx_close, in order.
    const QByteArray reply
        = QStringLiteral(R"(["%1","%2","room:general","phx_reply",{"response":{},"status":"ok"}])")
              .arg(joinRef, leaveRef)
              .toUtf8();
    const QByteArray close
        = QStringLiteral(R"(["%1","%1","room:general","phx_close",{}])").arg(joinRef).toUtf8();
    QVERIFY2(raw.contains(reply), qPrintable(client.dump()));
    QVERIFY(raw.indexOf(reply) < raw.indexOf(close));

    // The topic is gone: a later event gets "unmatched topic" with a null join_ref.
    const qsizetype beforeEvent = client.rawFrames().size();
    const QString ref = client.nextRef();
    client.send(joinRef, ref, general, QStringLiteral("new_msg"),
                QJsonObject { { "body", "late" } });
    QVERIFY(client.waitForReply(ref));
    QCOMPARE(
        client.rawFrames().at(client.rawFrames().size() - 1),
        QStringLiteral(
            R"([null,"%1","room:general","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}])")
            .arg(ref)
            .toUtf8());
    QCOMPARE(client.count(newMsgWithBody(general, "late"), beforeEvent), 0);
}

void tst_HubChannels::leaveOfTopicNotJoinedRepliesOk()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    const qsizetype before = client.frames().size();
    client.send(QStringLiteral("77"), QStringLiteral("78"), general, QStringLiteral("phx_leave"),
                QJsonObject());
    const auto reply = client.waitForReply(QStringLiteral("78"));
    QVERIFY2(reply, qPrintable(client.dump()));
    QCOMPARE(client.rawFrames().at(before),
             QByteArray(R"(["77","78","room:general","phx_reply",{"response":{},"status":"ok"}])"));
    QVERIFY(client.roundTrip());
    QCOMPARE(client.count(RawPhoenixClient::isEvent(general, "phx_close")), 0);
}

void tst_HubChannels::duplicateJoinRepliesToNewThenClosesOld()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    const QString oldRef = client.join(general);
    QVERIFY(client.waitForReply(oldRef));
    const qsizetype before = client.frames().size();
    const QString newRef = client.join(general);
    const auto close
        = client.waitForFrame(RawPhoenixClient::isEvent(general, "phx_close"), 5000, before);
    QVERIFY2(close, qPrintable(client.dump()));
    QCOMPARE(close->joinRef, QJsonValue(oldRef));
    QCOMPARE(close->ref, QJsonValue(oldRef));
    QCOMPARE(close->payload, QJsonValue(QJsonObject()));

    const QList<Message> frames = client.frames().mid(before);
    qsizetype replyAt = -1;
    qsizetype closeAt = -1;
    for (qsizetype i = 0; i < frames.size(); ++i) {
        if (frames[i].isReply() && frames[i].ref == QJsonValue(newRef))
            replyAt = i;
        if (frames[i].event == QLatin1String("phx_close") && closeAt < 0)
            closeAt = i;
    }
    QVERIFY(replyAt >= 0);
    QVERIFY2(replyAt < closeAt, "the new join's reply comes first, then phx_close of the old one");
    QCOMPARE(frames[replyAt].joinRef, QJsonValue(newRef));
    QVERIFY(client.roundTrip());
    QCOMPARE(client.count(RawPhoenixClient::isEvent(general, "phx_close")), 1);
    QCOMPARE(frames[replyAt].replyStatus(), QStringLiteral("ok"));

    // Presence holds this connection once, not twice.
    const auto state = client.waitForFrame([&newRef](const Message &m) {
        return m.event == QLatin1String("presence_state") && m.joinRef == QJsonValue(newRef);
    });
    QVERIFY(state);
    QCOMPARE(state->payloadObject().value(userA).toObject().value("metas").toArray().size(), 1);
}

void tst_HubChannels::duplicateJoinBroadcastsOnce()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(client.joinAndWait(general));
    QVERIFY(client.joinAndWait(general));
    const qsizetype before = client.frames().size();
    QVERIFY(client.pushAndWait(general, "new_msg", QJsonObject { { "body", "once" } }));
    QVERIFY(client.pushAndWait(general, "new_msg", QJsonObject { { "body", "sentinel" } }));
    QVERIFY(client.waitForFrame(newMsgWithBody(general, "sentinel"), 5000, before));
    QCOMPARE(client.count(newMsgWithBody(general, "once"), before), 1);
}

void tst_HubChannels::staleJoinRefFramesAreIgnored()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    const QString oldRef = client.join(general);
    QVERIFY(client.waitForReply(oldRef));
    const QString newRef = client.join(general);
    QVERIFY(client.waitForReply(newRef));

    // An event with the old join_ref, then one with the current join_ref: replies come in
    // order, so once the second is answered the first would have been.
    const QString staleRef = client.nextRef();
    client.send(oldRef, staleRef, general, QStringLiteral("new_msg"),
                QJsonObject { { "body", "stale" } });
    const QString freshRef = client.nextRef();
    client.send(newRef, freshRef, general, QStringLiteral("new_msg"),
                QJsonObject { { "body", "fresh" } });
    QVERIFY(client.waitForReply(freshRef));
    QVERIFY(client.waitForFrame(newMsgWithBody(general, "fresh")));
    QVERIFY(!client.waitForReply(staleRef, 0));
    QCOMPARE(client.count(newMsgWithBody(general, "stale")), 0);

    // A leave with the old join_ref is ignored too: no reply, no phx_close, still joined.
    const qsizetype before = client.frames().size();
    const QString staleLeave = client.nextRef();
    client.send(oldRef, staleLeave, general, QStringLiteral("phx_leave"), QJsonObject());
    QVERIFY(client.roundTrip());
    QVERIFY(!client.waitForReply(staleLeave, 0));
    QCOMPARE(client.count(RawPhoenixClient::isEvent(general, "phx_close"), before), 0);
    const auto typing = client.pushAndWait(general, "typing", QJsonObject { { "typing", false } });
    QVERIFY(typing);
    QCOMPARE(typing->replyStatus(), QStringLiteral("ok"));
}

void tst_HubChannels::nullJoinRefIsAccepted()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(client.joinAndWait(general));
    const QString ref = client.nextRef();
    client.send(QJsonValue::Null, ref, general, QStringLiteral("new_msg"),
                QJsonObject { { "body", "v1 style" } });
    const auto reply = client.waitForReply(ref);
    QVERIFY2(reply, qPrintable(client.dump()));
    QCOMPARE(reply->replyStatus(), QStringLiteral("ok"));
    QVERIFY(reply->joinRef.isNull());
}

void tst_HubChannels::badTopicsGetUnmatchedTopic_data()
{
    QTest::addColumn<QString>("topic");

    QTest::addRow("empty") << "";
    QTest::addRow("room without name") << "room:";
    QTest::addRow("room uppercase") << "room:General";
    QTest::addRow("room leading dash") << "room:-general";
    QTest::addRow("room 41 chars") << "room:" + QString(41, u'g');
    QTest::addRow("lobby without prefix") << "lobby";
    QTest::addRow("other hub topic") << "hub:other";
    QTest::addRow("unknown prefix") << "chat:general";
    const QString low = userA < userB ? userA : userB, high = userA < userB ? userB : userA;
    QTest::addRow("dm unsorted") << QStringLiteral("dm:%1:%2").arg(high, low);
    QTest::addRow("dm same user twice") << QStringLiteral("dm:%1:%1").arg(userA);
    QTest::addRow("dm bad id") << QStringLiteral("dm:short:%1").arg(userA);
    QTest::addRow("dm id of the old format") << QStringLiteral("dm:%1:user-aaaa-0001").arg(low);
    QTest::addRow("dm id with stray bits") << QStringLiteral("dm:%1:%2").arg(low, high.left(21) + QLatin1Char('x'));
}

void tst_HubChannels::badTopicsGetUnmatchedTopic()
{
    QFETCH(QString, topic);

    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    const qsizetype before = client.frames().size();
    const QString joinRef = client.join(topic);
    const auto reply = client.waitForReply(joinRef);
    QVERIFY2(reply, qPrintable(client.dump()));
    QVERIFY(reply->joinRef.isNull());
    QCOMPARE(reply->topic, topic);
    QCOMPARE(reply->replyStatus(), QStringLiteral("error"));
    QCOMPARE(reply->replyResponse(), (QJsonObject { { "reason", "unmatched topic" } }));
    QVERIFY(client.roundTrip());
    QCOMPARE(client.frames().size(), before + 2); // that reply and the heartbeat's, nothing else
}

void tst_HubChannels::eventOnTopicNotJoinedGetsUnmatchedTopic()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    const QString ref = client.nextRef();
    client.send(QStringLiteral("5"), ref, general, QStringLiteral("new_msg"),
                QJsonObject { { "body", "hi" } });
    const auto reply = client.waitForReply(ref);
    QVERIFY2(reply, qPrintable(client.dump()));
    QVERIFY(reply->joinRef.isNull());
    QCOMPARE(reasonOf(*reply), QStringLiteral("unmatched topic"));
}

void tst_HubChannels::joinOfMissingRoomIsNoSuchRoom()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    const QString joinRef = client.join(QStringLiteral("room:nowhere"));
    const auto reply = client.waitForReply(joinRef);
    QVERIFY2(reply, qPrintable(client.dump()));
    QCOMPARE(reply->joinRef, QJsonValue(joinRef)); // a routed topic: the join_ref is echoed
    QCOMPARE(reply->replyStatus(), QStringLiteral("error"));
    QCOMPARE(reasonOf(*reply), QStringLiteral("no_such_room"));
}

void tst_HubChannels::channelCapRefusesJoinBeyondMax()
{
    HubSettings settings = TestHub::settings();
    settings.maxChannels = 3;
    TestHub hub(settings);
    QVERIFY(hub.start());

    RawPhoenixClient client;
    QVERIFY(client.openAccepted(hub.url(), userA, QStringLiteral("ana")));
    for (const QString &topic : { lobby, general, dmAB }) {
        const auto reply = client.joinAndWait(topic);
        QVERIFY2(reply && reply->replyStatus() == QLatin1String("ok"), qPrintable(client.dump()));
    }
    const QString dmAC = Parley::Protocol::dmTopic(userA, userC);
    auto refused = client.joinAndWait(dmAC);
    QVERIFY(refused);
    QCOMPARE(refused->replyStatus(), QStringLiteral("error"));
    QCOMPARE(reasonOf(*refused), QStringLiteral("too many channels joined"));
    QCOMPARE(refused->joinRef, client.joinRefOf(dmAC));

    // Rejoining a joined topic does not count as one more.
    const auto rejoined = client.joinAndWait(general);
    QVERIFY(rejoined);
    QCOMPARE(rejoined->replyStatus(), QStringLiteral("ok"));

    // Leaving frees a place.
    QVERIFY(client.waitForReply(client.leave(general)));
    const auto accepted = client.joinAndWait(dmAC);
    QVERIFY(accepted);
    QCOMPARE(accepted->replyStatus(), QStringLiteral("ok"));
}

void tst_HubChannels::unknownEventGetsUnknownEvent_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QString>("event");

    QTest::addRow("lobby") << lobby << "dance";
    QTest::addRow("lobby, room event") << lobby << "new_msg";
    QTest::addRow("room") << general << "dance";
    QTest::addRow("room, lobby event") << general << "create_room";
    QTest::addRow("dm") << dmAB << "dance";
}

void tst_HubChannels::unknownEventGetsUnknownEvent()
{
    QFETCH(QString, topic);
    QFETCH(QString, event);

    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(client.joinAndWait(topic));
    const auto reply = client.pushAndWait(topic, event, QJsonObject { { "name", "x" } });
    QVERIFY2(reply, qPrintable(client.dump()));
    QCOMPARE(reply->joinRef, client.joinRefOf(topic));
    QCOMPARE(reply->replyStatus(), QStringLiteral("error"));
    QCOMPARE(reasonOf(*reply), QStringLiteral("unknown_event"));
    QVERIFY(client.roundTrip()); // the connection stays
}

void tst_HubChannels::dmJoinNeedsMembership()
{
    RawPhoenixClient outsider;
    QVERIFY(outsider.openAccepted(m_hub->url(), userC, QStringLiteral("cy")));
    const auto refused = outsider.joinAndWait(dmAB);
    QVERIFY2(refused, qPrintable(outsider.dump()));
    QCOMPARE(refused->replyStatus(), QStringLiteral("error"));
    QCOMPARE(reasonOf(*refused), QStringLiteral("unauthorized"));
    // Not joined: a push is unmatched.
    const auto push = outsider.pushAndWait(dmAB, "new_msg", QJsonObject { { "body", "psst" } });
    QVERIFY(push);
    QCOMPARE(reasonOf(*push), QStringLiteral("unmatched topic"));

    for (const QString &member : { userA, userB }) {
        RawPhoenixClient client;
        QVERIFY(client.openAccepted(m_hub->url(), member, QStringLiteral("member")));
        const auto joined = client.joinAndWait(dmAB);
        QVERIFY2(joined, qPrintable(client.dump()));
        QCOMPARE(joined->replyStatus(), QStringLiteral("ok"));
        QCOMPARE(joined->replyResponse().value("room").toObject().value("name").toString(), dmAB);
    }
}

QTEST_GUILESS_MAIN(tst_HubChannels)
#include "tst_hubchannels.moc"
