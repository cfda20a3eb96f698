// The hub's lobby on the wire, against a real HubRunner: the lobby join reply, create_room and
// its refusals, locked rooms, and rooms_changed following creations, coalesced.

#include "hubchannelstesthelpers.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <memory>

using namespace HubChannelsTest;

class tst_HubLobby : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

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
    void memberCountsOfABigHubAreSentLessOften();

private:
    std::unique_ptr<TestHub> m_hub; // a fresh hub with default limits for every test
};

void tst_HubLobby::init()
{
    m_hub = std::make_unique<TestHub>();
    QVERIFY(m_hub->start());
}

void tst_HubLobby::cleanup()
{
    m_hub.reset();
}

void tst_HubLobby::lobbyJoinReplyHasHubYouRooms()
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

void tst_HubLobby::lobbyJoinWithInvalidStatusIsRefused()
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

void tst_HubLobby::createRoomRepliesWithTheRoom()
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

void tst_HubLobby::createRoomRefusesExistingName()
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

void tst_HubLobby::createRoomRefusesInvalidName_data()
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

void tst_HubLobby::createRoomRefusesInvalidName()
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

void tst_HubLobby::createRoomRefusesBeyondMaxRooms()
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

void tst_HubLobby::lockedRoomNeedsItsPassword()
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

void tst_HubLobby::roomsChangedFollowsCreateRoom()
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

void tst_HubLobby::memberCountsOfABigHubAreSentLessOften()
{
    // One interval per lobby connection (instead of per 200): with 3, count-only changes are
    // 1.5 s apart at least.
    HubSettings settings = TestHub::settings();
    settings.roomsChangedConnectionsPerInterval = 1;
    m_hub = std::make_unique<TestHub>(settings);
    QVERIFY(m_hub->start());
    RawPhoenixClient watcher, mover, third;
    QVERIFY(watcher.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(mover.openAccepted(m_hub->url(), userB, QStringLiteral("bob")));
    QVERIFY(third.openAccepted(m_hub->url(), userC, QStringLiteral("cy")));
    for (RawPhoenixClient *client : { &watcher, &mover, &third })
        QVERIFY(client->joinAndWait(lobby));
    const auto membersOfGeneral = [](int members) {
        return [members](const Message &m) {
            if (m.topic != lobby || m.event != QLatin1String("rooms_changed"))
                return false;
            for (const QJsonValue &room : m.payloadObject().value("rooms").toArray()) {
                if (room.toObject().value("name").toString() == QLatin1String("general"))
                    return room.toObject().value("members").toInt() == members;
            }
            return false;
        };
    };
    // When the first frame matching arrived (waiting for it), or -1.
    const auto arrivalOf = [&watcher](const RawPhoenixClient::Predicate &predicate) -> qint64 {
        if (!watcher.waitForFrame(predicate, 5000))
            return -1;
        for (qsizetype i = 0; i < watcher.frames().size(); ++i) {
            if (predicate(watcher.frames().at(i)))
                return watcher.arrivalMs().at(i);
        }
        return -1;
    };
    QVERIFY(mover.joinAndWait(general));
    const qint64 firstAt = arrivalOf(membersOfGeneral(1));
    QVERIFY2(firstAt >= 0, qPrintable(watcher.dump()));
    QVERIFY(mover.waitForReply(mover.leave(general)));
    const qint64 secondAt = arrivalOf(membersOfGeneral(0));
    QVERIFY2(secondAt >= 0, qPrintable(watcher.dump()));
    QVERIFY2(secondAt - firstAt >= 1400, qPrintable(watcher.dump()));
}

void tst_HubLobby::roomsChangedIsCoalesced()
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

QTEST_GUILESS_MAIN(tst_HubLobby)
#include "tst_hublobby.moc"
