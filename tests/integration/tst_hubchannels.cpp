// The hub's channel layer on the wire, against a real HubRunner: join, leave, duplicate join
// and stale join_refs as Phoenix does them, unmatched topics, the channel cap, unknown events,
// dm membership, the lobby (join reply, create_room, coalesced rooms_changed), new_msg replies
// and broadcasts, body validation and the per-connection rate limit.

#include "protocol/events.h"
#include "rawphoenixclient.h"
#include "testhub.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTest>
#include <QTimer>

#include <memory>

using Parley::Hub::HubSettings;
using Parley::Testing::RawPhoenixClient;
using Parley::Testing::TestHub;
using Message = Parley::Protocol::Message;

namespace {

const QString userA = QStringLiteral("user-aaaa-0001");
const QString userB = QStringLiteral("user-bbbb-0002");
const QString userC = QStringLiteral("user-cccc-0003");
const QString general = QStringLiteral("room:general");
const QString lobby = QStringLiteral("hub:lobby");
const QString dmAB = QStringLiteral("dm:user-aaaa-0001:user-bbbb-0002");

QString reasonOf(const Message &reply)
{
    return reply.replyResponse().value(QLatin1String("reason")).toString();
}

QSet<QString> keysOf(const QJsonObject &object)
{
    const QStringList keys = object.keys();
    return QSet<QString>(keys.cbegin(), keys.cend());
}

QSet<QString> setOf(std::initializer_list<const char *> names)
{
    QSet<QString> set;
    for (const char *name : names)
        set.insert(QString::fromLatin1(name));
    return set;
}

QStringList roomNames(const QJsonArray &rooms)
{
    QStringList names;
    for (const QJsonValue &room : rooms)
        names.append(room.toObject().value(QLatin1String("name")).toString());
    names.sort();
    return names;
}

RawPhoenixClient::Predicate newMsgWithBody(const QString &topic, const QString &body)
{
    return [topic, body](const Message &m) {
        return m.topic == topic && m.event == QLatin1String("new_msg")
            && m.payloadObject().value(QLatin1String("body")).toString() == body;
    };
}

} // namespace

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
    void lobbyJoinReplyHasHubYouRooms();
    void lobbyJoinWithInvalidStatusIsRefused();
    void createRoomRepliesWithTheRoom();
    void createRoomRefusesExistingName();
    void createRoomRefusesInvalidName_data();
    void createRoomRefusesInvalidName();
    void createRoomRefusesBeyondMaxRooms();
    void lockedRoomNeedsItsPassword();
    void roomsChangedFollowsCreateRoom();
    void roomsChangedIsCoalesced();
    void newMsgRepliesAndBroadcastsToEveryMemberOnce();
    void resentNewMsgWithSameClientIdIsNotDuplicated();
    void invalidBodyIsRefused_data();
    void invalidBodyIsRefused();
    void burstBeyondRateIsRateLimited();
    void floodingClosesWith1008();

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
    QTest::addRow("dm unsorted") << "dm:user-bbbb-0002:user-aaaa-0001";
    QTest::addRow("dm same user twice") << "dm:user-aaaa-0001:user-aaaa-0001";
    QTest::addRow("dm bad id") << "dm:short:user-aaaa-0001";
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
    const QString dmAC = QStringLiteral("dm:user-aaaa-0001:user-cccc-0003");
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

void tst_HubChannels::lobbyJoinReplyHasHubYouRooms()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral(" Ana ")));
    const QString joinRef = client.join(lobby);
    const auto reply = client.waitForReply(joinRef);
    QVERIFY2(reply, qPrintable(client.dump()));
    QCOMPARE(reply->joinRef, QJsonValue(joinRef));
    QCOMPARE(reply->replyStatus(), QStringLiteral("ok"));
    const QJsonObject response = reply->replyResponse();
    QCOMPARE(keysOf(response), setOf({ "hub", "you", "rooms" }));

    const QJsonObject hub = response.value("hub").toObject();
    QVERIFY(keysOf(hub).contains(setOf({ "id", "name", "version" })));
    QVERIFY(!hub.value("id").toString().isEmpty());
    QCOMPARE(hub.value("name").toString(), QStringLiteral("Test hub"));
    QCOMPARE(hub.value("version").toString(), QStringLiteral(PARLEY_VERSION));

    QCOMPARE(response.value("you").toObject(),
             (QJsonObject { { "user_id", userA }, { "nick", "Ana" } })); // nick trimmed

    const QJsonArray rooms = response.value("rooms").toArray();
    QCOMPARE(rooms.size(), 1);
    const QJsonObject room = rooms.first().toObject();
    QCOMPARE(keysOf(room), setOf({ "name", "title", "members", "locked", "last_id" }));
    QCOMPARE(room.value("name").toString(), QStringLiteral("general"));
    QCOMPARE(room.value("title").toString(), QStringLiteral("General"));
    QCOMPARE(room.value("members"), QJsonValue(0));
    QCOMPARE(room.value("locked"), QJsonValue(false));
    QCOMPARE(room.value("last_id"), QJsonValue(0));

    // Then hub-wide presence, pushed with the join_ref, holding us.
    const auto state = client.waitForFrame(RawPhoenixClient::isEvent(lobby, "presence_state"));
    QVERIFY(state);
    QCOMPARE(state->joinRef, QJsonValue(joinRef));
    const QJsonArray metas
        = state->payloadObject().value(userA).toObject().value("metas").toArray();
    QCOMPARE(metas.size(), 1);
    QCOMPARE(metas.first().toObject().value("nick").toString(), QStringLiteral("Ana"));
    QCOMPARE(metas.first().toObject().value("status").toString(), QStringLiteral("online"));
}

void tst_HubChannels::lobbyJoinWithInvalidStatusIsRefused()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    const auto refused = client.joinAndWait(lobby, QJsonObject { { "status", "sleeping" } });
    QVERIFY(refused);
    QCOMPARE(reasonOf(*refused), QStringLiteral("invalid_status"));

    const auto away = client.joinAndWait(lobby, QJsonObject { { "status", "away" } });
    QVERIFY(away);
    QCOMPARE(away->replyStatus(), QStringLiteral("ok"));
    const auto state = client.waitForFrame(RawPhoenixClient::isEvent(lobby, "presence_state"));
    QVERIFY(state);
    const QJsonArray metas
        = state->payloadObject().value(userA).toObject().value("metas").toArray();
    QCOMPARE(metas.first().toObject().value("status").toString(), QStringLiteral("away"));
}

void tst_HubChannels::createRoomRepliesWithTheRoom()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(client.joinAndWait(lobby));
    const auto created = client.pushAndWait(
        lobby, "create_room", QJsonObject { { "name", "plans-2025" }, { "title", "  Plans  " } });
    QVERIFY2(created, qPrintable(client.dump()));
    QCOMPARE(created->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(created->replyResponse(),
             (QJsonObject { { "room",
                              QJsonObject { { "name", "plans-2025" },
                                            { "title", "Plans" },
                                            { "members", 0 },
                                            { "locked", false },
                                            { "last_id", 0 } } } }));

    // Without a title the name is the title; the room can be joined at once.
    const auto untitled
        = client.pushAndWait(lobby, "create_room", QJsonObject { { "name", "misc" } });
    QVERIFY(untitled);
    QCOMPARE(untitled->replyResponse().value("room").toObject().value("title").toString(),
             QStringLiteral("misc"));
    const auto joined = client.joinAndWait(QStringLiteral("room:plans-2025"));
    QVERIFY(joined);
    QCOMPARE(joined->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(joined->replyResponse().value("room").toObject().value("title").toString(),
             QStringLiteral("Plans"));
}

void tst_HubChannels::createRoomRefusesExistingName()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(client.joinAndWait(lobby));
    const auto builtIn
        = client.pushAndWait(lobby, "create_room", QJsonObject { { "name", "general" } });
    QVERIFY(builtIn);
    QCOMPARE(builtIn->replyStatus(), QStringLiteral("error"));
    QCOMPARE(reasonOf(*builtIn), QStringLiteral("exists"));

    const auto first
        = client.pushAndWait(lobby, "create_room", QJsonObject { { "name", "twice" } });
    QVERIFY(first);
    QCOMPARE(first->replyStatus(), QStringLiteral("ok"));
    const auto second = client.pushAndWait(
        lobby, "create_room", QJsonObject { { "name", "twice" }, { "title", "Other" } });
    QVERIFY(second);
    QCOMPARE(reasonOf(*second), QStringLiteral("exists"));
}

void tst_HubChannels::createRoomRefusesInvalidName_data()
{
    QTest::addColumn<QJsonObject>("payload");

    QTest::addRow("missing") << QJsonObject {};
    QTest::addRow("empty") << QJsonObject { { "name", "" } };
    QTest::addRow("uppercase") << QJsonObject { { "name", "Plans" } };
    QTest::addRow("leading dash") << QJsonObject { { "name", "-plans" } };
    QTest::addRow("space") << QJsonObject { { "name", "my plans" } };
    QTest::addRow("41 chars") << QJsonObject { { "name", QString(41, u'p') } };
    QTest::addRow("number") << QJsonObject { { "name", 42 } };
    QTest::addRow("null") << QJsonObject { { "name", QJsonValue::Null } };
}

void tst_HubChannels::createRoomRefusesInvalidName()
{
    QFETCH(QJsonObject, payload);

    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(client.joinAndWait(lobby));
    const auto reply = client.pushAndWait(lobby, "create_room", payload);
    QVERIFY2(reply, qPrintable(client.dump()));
    QCOMPARE(reply->replyStatus(), QStringLiteral("error"));
    QCOMPARE(reasonOf(*reply), QStringLiteral("invalid_name"));
    // Nothing was created.
    const auto rejoin = client.joinAndWait(lobby);
    QVERIFY(rejoin);
    QCOMPARE(rejoin->replyResponse().value("rooms").toArray().size(), 1);
}

void tst_HubChannels::createRoomRefusesBeyondMaxRooms()
{
    HubSettings settings = TestHub::settings();
    settings.maxRooms = 2; // general and one more
    TestHub hub(settings);
    QVERIFY(hub.start());

    RawPhoenixClient client;
    QVERIFY(client.openAccepted(hub.url(), userA, QStringLiteral("ana")));
    QVERIFY(client.joinAndWait(lobby));
    const auto second
        = client.pushAndWait(lobby, "create_room", QJsonObject { { "name", "second" } });
    QVERIFY(second);
    QCOMPARE(second->replyStatus(), QStringLiteral("ok"));
    const auto third
        = client.pushAndWait(lobby, "create_room", QJsonObject { { "name", "third" } });
    QVERIFY(third);
    QCOMPARE(third->replyStatus(), QStringLiteral("error"));
    QCOMPARE(reasonOf(*third), QStringLiteral("too_many_rooms"));
    const auto missing = client.joinAndWait(QStringLiteral("room:third"));
    QVERIFY(missing);
    QCOMPARE(reasonOf(*missing), QStringLiteral("no_such_room"));
}

void tst_HubChannels::lockedRoomNeedsItsPassword()
{
    RawPhoenixClient owner;
    QVERIFY(owner.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(owner.joinAndWait(lobby));
    const auto created = owner.pushAndWait(
        lobby, "create_room", QJsonObject { { "name", "vault" }, { "password", "open sesame" } });
    QVERIFY2(created, qPrintable(owner.dump()));
    QCOMPARE(created->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(created->replyResponse().value("room").toObject().value("locked"), QJsonValue(true));
    QVERIFY(!QString::fromUtf8(owner.rawFrames().join()).contains(QStringLiteral("open sesame")));

    RawPhoenixClient guest;
    QVERIFY(guest.openAccepted(m_hub->url(), userB, QStringLiteral("bob")));
    const QString vault = QStringLiteral("room:vault");
    // Few wrong passwords: each check is a deliberately slow key derivation.
    for (const QJsonObject &params :
         { QJsonObject {}, QJsonObject { { "password", "OPEN SESAME" } },
           QJsonObject { { "password", 1234 } } }) {
        const auto refused = guest.joinAndWait(vault, params);
        QVERIFY2(refused, qPrintable(guest.dump()));
        QCOMPARE(refused->replyStatus(), QStringLiteral("error"));
        QCOMPARE(reasonOf(*refused), QStringLiteral("unauthorized"));
    }
    const auto accepted = guest.joinAndWait(vault, QJsonObject { { "password", "open sesame" } });
    QVERIFY(accepted);
    QCOMPARE(accepted->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(accepted->replyResponse().value("room").toObject().value("locked"), QJsonValue(true));
}

void tst_HubChannels::roomsChangedFollowsCreateRoom()
{
    RawPhoenixClient creator;
    RawPhoenixClient watcher;
    QVERIFY(creator.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(watcher.openAccepted(m_hub->url(), userB, QStringLiteral("bob")));
    QVERIFY(creator.joinAndWait(lobby));
    QVERIFY(watcher.joinAndWait(lobby));
    const qsizetype before = watcher.frames().size();

    QVERIFY(creator.pushAndWait(lobby, "create_room", QJsonObject { { "name", "news" } }));
    const auto changed
        = watcher.waitForFrame(RawPhoenixClient::isEvent(lobby, "rooms_changed"), 5000, before);
    QVERIFY2(changed, qPrintable(watcher.dump()));
    QVERIFY(changed->joinRef.isNull() && changed->ref.isNull()); // a broadcast
    QCOMPARE(roomNames(changed->payloadObject().value("rooms").toArray()),
             (QStringList { "general", "news" }));
}

void tst_HubChannels::roomsChangedIsCoalesced()
{
    RawPhoenixClient creator;
    RawPhoenixClient watcher;
    QVERIFY(creator.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(watcher.openAccepted(m_hub->url(), userB, QStringLiteral("bob")));
    QVERIFY(creator.joinAndWait(lobby));
    QVERIFY(watcher.joinAndWait(lobby));
    const auto isRoomsChanged = RawPhoenixClient::isEvent(lobby, "rooms_changed");

    // One change first, so the next ones fall inside the hub's coalescing interval.
    QVERIFY(creator.pushAndWait(lobby, "create_room", QJsonObject { { "name", "first" } }));
    QVERIFY(watcher.waitForFrame(isRoomsChanged));

    const qsizetype before = watcher.frames().size();
    const qint64 burstStart = watcher.elapsedMs();
    QStringList expected { "general", "first" };
    QStringList refs;
    for (int i = 1; i <= 5; ++i) {
        const QString name = QStringLiteral("burst-%1").arg(i);
        expected << name;
        refs << creator.push(lobby, "create_room", QJsonObject { { "name", name } });
    }
    expected.sort();
    for (const QString &ref : refs) {
        const auto reply = creator.waitForReply(ref);
        QVERIFY2(reply && reply->replyStatus() == QLatin1String("ok"), qPrintable(creator.dump()));
    }
    const auto listsAll = [&](const Message &m) {
        return isRoomsChanged(m)
            && roomNames(m.payloadObject().value("rooms").toArray()) == expected;
    };
    QVERIFY2(watcher.waitForFrame(listsAll, 5000, before), qPrintable(watcher.dump()));
    // An observation window, not synchronisation: count what arrives in 1.2 s from the burst.
    QVERIFY(QTest::qWaitFor([&] { return watcher.elapsedMs() - burstStart >= 1200; }, 2000));

    QList<qint64> arrivals;
    for (qsizetype i = before; i < watcher.frames().size(); ++i) {
        if (isRoomsChanged(watcher.frames().at(i))
            && watcher.arrivalMs().at(i) - burstStart <= 1200)
            arrivals << watcher.arrivalMs().at(i);
    }
    QVERIFY2(!arrivals.isEmpty() && arrivals.size() <= 3, qPrintable(watcher.dump()));
    const auto changes = watcher.framesMatching(isRoomsChanged, before);
    QVERIFY(listsAll(changes.last()));
    // At most 2 per second: consecutive ones are about 500 ms apart (less a little jitter).
    for (qsizetype i = 1; i < arrivals.size(); ++i)
        QVERIFY2(arrivals[i] - arrivals[i - 1] >= 400, qPrintable(watcher.dump()));
}

void tst_HubChannels::newMsgRepliesAndBroadcastsToEveryMemberOnce()
{
    RawPhoenixClient sender;
    RawPhoenixClient member;
    RawPhoenixClient outsider; // connected, in the lobby, not in the room
    QVERIFY(sender.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(member.openAccepted(m_hub->url(), userB, QStringLiteral("bob")));
    QVERIFY(outsider.openAccepted(m_hub->url(), userC, QStringLiteral("cy")));
    QVERIFY(sender.joinAndWait(general));
    QVERIFY(member.joinAndWait(general));
    QVERIFY(outsider.joinAndWait(lobby));
    const qsizetype senderBefore = sender.frames().size();
    const qsizetype memberBefore = member.frames().size();
    const qsizetype outsiderBefore = outsider.frames().size();

    const qint64 sentAt = QDateTime::currentMSecsSinceEpoch();
    const QString ref = sender.push(
        general, "new_msg",
        QJsonObject { { "body", "  hello, żółw 😀  " }, { "client_id", "client-0001" } });
    const auto reply = sender.waitForReply(ref);
    QVERIFY2(reply, qPrintable(sender.dump()));
    QCOMPARE(reply->joinRef, sender.joinRefOf(general));
    QCOMPARE(reply->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(keysOf(reply->replyResponse()), setOf({ "message" }));
    const QJsonObject message = reply->replyResponse().value("message").toObject();
    QCOMPARE(keysOf(message),
             setOf({ "id", "room", "user_id", "nick", "body", "ts", "client_id", "edited_ts",
                     "deleted" }));
    QVERIFY(message.value("id").isDouble() && message.value("id").toDouble() >= 1);
    QCOMPARE(message.value("room").toString(), QStringLiteral("general"));
    QCOMPARE(message.value("user_id").toString(), userA);
    QCOMPARE(message.value("nick").toString(), QStringLiteral("ana"));
    QCOMPARE(message.value("body").toString(), QStringLiteral("hello, żółw 😀")); // trimmed
    QVERIFY(qAbs(message.value("ts").toInteger() - sentAt) < 10'000);
    QCOMPARE(message.value("client_id").toString(), QStringLiteral("client-0001"));
    QVERIFY(message.value("edited_ts").isNull());
    QCOMPARE(message.value("deleted"), QJsonValue(false));

    // A second message as a sentinel: once it is broadcast, the first one's broadcasts are in.
    QVERIFY(sender.pushAndWait(general, "new_msg", QJsonObject { { "body", "sentinel" } }));
    const auto isSentinel = newMsgWithBody(general, "sentinel");
    QVERIFY(sender.waitForFrame(isSentinel, 5000, senderBefore));
    QVERIFY(member.waitForFrame(isSentinel, 5000, memberBefore));
    const auto isFirst = [&message](const Message &m) {
        return m.event == QLatin1String("new_msg") && !m.isReply()
            && m.payloadObject().value("id") == message.value("id");
    };
    for (RawPhoenixClient *client : { &sender, &member }) {
        const qsizetype from = client == &sender ? senderBefore : memberBefore;
        const QList<Message> broadcasts = client->framesMatching(isFirst, from);
        QCOMPARE(broadcasts.size(), 1);
        QVERIFY(broadcasts.first().joinRef.isNull());
        QVERIFY(broadcasts.first().ref.isNull());
        QCOMPARE(broadcasts.first().topic, general);
        QCOMPARE(broadcasts.first().payloadObject(), message); // the same MESSAGE as the reply
    }
    QVERIFY(outsider.roundTrip());
    QCOMPARE(outsider.count([](const Message &m) { return m.event == QLatin1String("new_msg"); },
                            outsiderBefore),
             0);
}

void tst_HubChannels::resentNewMsgWithSameClientIdIsNotDuplicated()
{
    RawPhoenixClient sender;
    QVERIFY(sender.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(sender.joinAndWait(general));
    const qsizetype before = sender.frames().size();
    const QJsonObject payload { { "body", "only once" }, { "client_id", "resend-0001" } };
    const auto first = sender.pushAndWait(general, "new_msg", payload);
    const auto again = sender.pushAndWait(general, "new_msg", payload);
    QVERIFY(first && again);
    QCOMPARE(again->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(again->replyResponse().value("message"), first->replyResponse().value("message"));
    QVERIFY(sender.pushAndWait(general, "new_msg", QJsonObject { { "body", "sentinel" } }));
    QVERIFY(sender.waitForFrame(newMsgWithBody(general, "sentinel"), 5000, before));
    QCOMPARE(sender.count(newMsgWithBody(general, "only once"), before), 1);
}

void tst_HubChannels::invalidBodyIsRefused_data()
{
    QTest::addColumn<QJsonValue>("payload");
    QTest::addColumn<QString>("reason"); // empty: accepted

    QTest::addRow("4000 chars") << QJsonValue(QJsonObject { { "body", QString(4000, u'a') } })
                                << "";
    QTest::addRow("4000 emoji") << QJsonValue(
        QJsonObject { { "body", QStringLiteral("😀").repeated(4000) } })
                                << "";
    QTest::addRow("empty") << QJsonValue(QJsonObject { { "body", "" } }) << "invalid_body";
    QTest::addRow("whitespace") << QJsonValue(QJsonObject { { "body", " \n\t  " } })
                                << "invalid_body";
    QTest::addRow("4001 chars") << QJsonValue(QJsonObject { { "body", QString(4001, u'a') } })
                                << "invalid_body";
    QTest::addRow("4001 emoji") << QJsonValue(
        QJsonObject { { "body", QStringLiteral("😀").repeated(4001) } })
                                << "invalid_body";
    QTest::addRow("control character")
        << QJsonValue(QJsonObject { { "body", QStringLiteral("a\u0007b") } }) << "invalid_body";
    QTest::addRow("number") << QJsonValue(QJsonObject { { "body", 42 } }) << "invalid_body";
    QTest::addRow("null") << QJsonValue(QJsonObject { { "body", QJsonValue::Null } })
                          << "invalid_body";
    QTest::addRow("array") << QJsonValue(QJsonObject { { "body", QJsonArray { "hi" } } })
                           << "invalid_body";
    QTest::addRow("missing") << QJsonValue(QJsonObject { { "text", "hi" } }) << "invalid_body";
    QTest::addRow("payload not an object") << QJsonValue("hi") << "invalid_payload";
    QTest::addRow("bad client_id")
        << QJsonValue(QJsonObject { { "body", "hi" }, { "client_id", "short" } })
        << "invalid_payload";
}

void tst_HubChannels::invalidBodyIsRefused()
{
    QFETCH(QJsonValue, payload);
    QFETCH(QString, reason);

    RawPhoenixClient sender;
    RawPhoenixClient member;
    QVERIFY(sender.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(member.openAccepted(m_hub->url(), userB, QStringLiteral("bob")));
    QVERIFY(sender.joinAndWait(general));
    QVERIFY(member.joinAndWait(general));
    const qsizetype before = member.frames().size();

    const auto reply = sender.pushAndWait(general, "new_msg", payload);
    QVERIFY2(reply, qPrintable(sender.dump()));
    if (reason.isEmpty()) {
        QCOMPARE(reply->replyStatus(), QStringLiteral("ok"));
    } else {
        QCOMPARE(reply->replyStatus(), QStringLiteral("error"));
        QCOMPARE(reasonOf(*reply), reason);
    }
    // Only an accepted message reaches the other member.
    QVERIFY(sender.pushAndWait(general, "new_msg", QJsonObject { { "body", "sentinel" } }));
    QVERIFY(member.waitForFrame(newMsgWithBody(general, "sentinel"), 5000, before));
    const auto isNewMsg = RawPhoenixClient::isEvent(general, "new_msg");
    QCOMPARE(member.count(isNewMsg, before), reason.isEmpty() ? 2 : 1);
    QVERIFY(sender.isOpen());
}

void tst_HubChannels::burstBeyondRateIsRateLimited()
{
    HubSettings settings = TestHub::settings();
    settings.maxRate = 5; // burst 10
    TestHub hub(settings);
    QVERIFY(hub.start());

    RawPhoenixClient client;
    QVERIFY(client.openAccepted(hub.url(), userA, QStringLiteral("ana"))); // 1 event
    QVERIFY(client.joinAndWait(general)); // 2 events
    const qsizetype before = client.frames().size();
    QStringList refs;
    for (int i = 0; i < 20; ++i)
        refs << client.push(general, "new_msg",
                            QJsonObject { { "body", QStringLiteral("burst %1").arg(i) } });

    QSet<QString> accepted;
    int limited = 0;
    for (int i = 0; i < refs.size(); ++i) {
        const auto reply = client.waitForReply(refs[i]);
        QVERIFY2(reply, qPrintable(client.dump()));
        if (reply->replyStatus() == QLatin1String("ok")) {
            accepted.insert(QStringLiteral("burst %1").arg(i));
            continue;
        }
        QCOMPARE(reasonOf(*reply), QStringLiteral("rate_limited"));
        const QJsonValue retryAfter = reply->replyResponse().value("retry_after_ms");
        QVERIFY2(retryAfter.isDouble(), "retry_after_ms is a number");
        QVERIFY(retryAfter.toInteger() > 0 && retryAfter.toInteger() <= 200);
        ++limited;
    }
    // 10 tokens, 2 spent before the burst; one or two may come back while it is read.
    QVERIFY2(accepted.size() >= 8 && accepted.size() <= 12,
             qPrintable(QString::number(accepted.size())));
    QCOMPARE(limited, 20 - int(accepted.size()));
    // Exactly the accepted messages were broadcast.
    QTRY_COMPARE(client.count(RawPhoenixClient::isEvent(general, "new_msg"), before),
                 accepted.size());
    QSet<QString> broadcast;
    for (const Message &m :
         client.framesMatching(RawPhoenixClient::isEvent(general, "new_msg"), before))
        broadcast.insert(m.payloadObject().value("body").toString());
    QCOMPARE(broadcast, accepted);
    QVERIFY(client.isOpen()); // limited, not closed: it stopped before floodCloseMs
}

void tst_HubChannels::floodingClosesWith1008()
{
    HubSettings settings = TestHub::settings();
    settings.maxRate = 5;
    settings.floodCloseMs = 500;
    TestHub hub(settings);
    QVERIFY(hub.start());

    RawPhoenixClient flooder;
    QVERIFY(flooder.openAccepted(hub.url(), userA, QStringLiteral("ana")));
    // 200 events/s against 5/s: a few still pass as tokens come back, but it never lets up.
    QTimer flood;
    flood.setInterval(5);
    connect(&flood, &QTimer::timeout, &flooder, [&flooder] {
        if (flooder.isOpen())
            flooder.heartbeat();
    });
    flood.start();
    QVERIFY2(flooder.waitForClose(5000), qPrintable(QString::number(flooder.frames().size())));
    flood.stop();
    QCOMPARE(flooder.closeCode(), 1008);
    QCOMPARE(flooder.closeReason(), QStringLiteral("flooding"));

    qsizetype firstLimited = -1;
    qsizetype passedWhileFlooding = 0;
    for (qsizetype i = 0; i < flooder.frames().size(); ++i) {
        const Message &m = flooder.frames().at(i);
        if (firstLimited < 0 && reasonOf(m) == QLatin1String("rate_limited"))
            firstLimited = i;
        else if (firstLimited >= 0 && m.replyStatus() == QLatin1String("ok"))
            ++passedWhileFlooding;
    }
    QVERIFY(firstLimited >= 0);
    QVERIFY2(passedWhileFlooding >= 1, "tokens trickled back during the flood");
    // Not before floodCloseMs of flooding (less the reply's trip).
    const qint64 floodingFor = flooder.closedAtMs() - flooder.arrivalMs().at(firstLimited);
    QVERIFY2(floodingFor >= 450, qPrintable(QString::number(floodingFor)));
}

QTEST_GUILESS_MAIN(tst_HubChannels)
#include "tst_hubchannels.moc"
