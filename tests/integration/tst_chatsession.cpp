// ChatSession, the hub-level part of the client, against a real hub on 127.0.0.1 (port 0): hub
// info and the room list from hub:lobby, hub and room presence (bounded in a big hub), status,
// unread counts, new and locked rooms, direct messages (opened for the other user when they
// arrive), a refused connect, and topics opened before the connection. What happens inside one
// room (sending, catch-up, edits, history) is in tst_conversation.

#include "chatsessionfixture.h"

class tst_ChatSession : public QObject, private ChatSessionFixture
{
    Q_OBJECT

private slots:
    void init() { setUpHub(); }
    void cleanup() { tearDownHub(); }

    void lobbyGivesHubInfoAndRooms();
    void bigHubListsActiveUsersAndCountsEveryone();
    void presenceShowsOtherUserAndDropsItOnDisconnect();
    void statusAndTypingReachOthers();
    void unreadGrowsForOtherTopicAndClears();
    void createdLockedRoomNeedsPassword();
    void directMessagesReachTheOtherUser();
    void directMessageOpensTheConversationForTheOtherUser();
    void refusedConnectShowsReason();
    void topicOpenedBeforeConnectIsJoinedOnConnect();
};

void tst_ChatSession::lobbyGivesHubInfoAndRooms()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"));
    QSignalSpy info(ana.get(), &ChatSession::hubInfoChanged);
    QTRY_COMPARE_WITH_TIMEOUT(ana->connectionState(), ChatSession::ConnectionState::Connected,
                              Timeout);
    QTRY_VERIFY_WITH_TIMEOUT(info.size() == 1, Timeout);
    QCOMPARE(ana->hubName(), QStringLiteral("Test hub"));
    QVERIFY(!ana->hubId().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(ana->rooms()->rowOfTopic(General) >= 0, Timeout);
    QVERIFY(!ana->rooms()
                 ->index(ana->rooms()->rowOfTopic(General))
                 .data(RoomListModel::JoinedRole)
                 .toBool());
    QTRY_COMPARE_WITH_TIMEOUT(ana->hubPresence()->rowOfUser(Ana), 0,
                              Timeout);
    QVERIFY(open(ana.get(), General));
    QTRY_VERIFY_WITH_TIMEOUT(ana->rooms()
                                 ->index(ana->rooms()->rowOfTopic(General))
                                 .data(RoomListModel::JoinedRole)
                                 .toBool(),
                             Timeout);
}

void tst_ChatSession::bigHubListsActiveUsersAndCountsEveryone()
{
    // docs/protocol.md 6, "bounded presence" with tiny limits: everyone listed up to 3 users; above
    // that the most recently active one, with presence_summary counting everyone; everyone again
    // at 2.
    m_hub->stop();
    m_settings.lobbyPresenceLimit = 3;
    m_settings.roomPresenceLimit = 3;
    m_settings.presenceListed = 1;
    QVERIFY(startHub());

    auto ana = makeSession(Ana, QStringLiteral("ana"));
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    auto carol = makeSession(Carol, QStringLiteral("carol"));
    PresenceModel *hub = ana->hubPresence();
    QTRY_COMPARE_WITH_TIMEOUT(hub->rowCount(), 3, Timeout);
    QVERIFY(!hub->isLimited());
    QCOMPARE(hub->userCount(), 3);

    QSignalSpy summaries(hub, &PresenceModel::summaryChanged);
    auto eve = makeSession(Eve, QStringLiteral("eve"));
    QTRY_VERIFY_WITH_TIMEOUT(hub->isLimited(), Timeout);
    QCOMPARE(hub->userCount(), 4);
    QTRY_COMPARE_WITH_TIMEOUT(hub->rowCount(), 1, Timeout);
    QCOMPARE(hub->entryAt(0).userId, Eve); // the most recent joiner
    QTRY_VERIFY_WITH_TIMEOUT(eve->hubPresence()->isLimited(), Timeout);
    QCOMPARE(eve->hubPresence()->userCount(), 4);

    // ana posts: she is the one listed now, on every client.
    QVERIFY(open(ana.get(), General));
    ana->conversation(General)->send(QStringLiteral("anyone?"));
    QTRY_COMPARE_WITH_TIMEOUT(bob->hubPresence()->rowOfUser(Ana), 0, Timeout);
    QCOMPARE(bob->hubPresence()->rowCount(), 1);

    // Down to 2 users (80 % of the limit): everyone listed again, and the models say so.
    eve->disconnectFromHub();
    QTRY_COMPARE_WITH_TIMEOUT(hub->userCount(), 3, Timeout);
    QVERIFY(hub->isLimited());
    carol->disconnectFromHub();
    QTRY_VERIFY_WITH_TIMEOUT(!hub->isLimited(), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(hub->rowCount(), 2, Timeout);
    QCOMPARE(hub->userCount(), 2);
    QVERIFY(summaries.size() >= 3);
}

void tst_ChatSession::presenceShowsOtherUserAndDropsItOnDisconnect()
{
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    QVERIFY(open(bob.get(), General));
    PresenceModel *presence = bob->conversation(General)->presence();
    QTRY_COMPARE_WITH_TIMEOUT(presence->rowCount(), 1, Timeout);
    QSignalSpy inserted(presence, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(presence, &QAbstractItemModel::rowsRemoved);
    QSignalSpy reset(presence, &QAbstractItemModel::modelReset);
    QSignalSpy hubRemoved(bob->hubPresence(), &QAbstractItemModel::rowsRemoved);

    auto ana = makeSession(Ana, QStringLiteral("ana"));
    QVERIFY(open(ana.get(), General));
    QTRY_VERIFY_WITH_TIMEOUT(presence->rowOfUser(Ana) >= 0, Timeout);
    QCOMPARE(inserted.size(), 1);
    const int row = presence->rowOfUser(Ana);
    QCOMPARE(row, 0); // "ana" sorts before "bob"
    QCOMPARE(presence->index(row).data(PresenceModel::NickRole).toString(), QStringLiteral("ana"));
    QCOMPARE(presence->index(row).data(PresenceModel::StatusRole).toString(),
             QStringLiteral("online"));
    QCOMPARE(presence->index(row).data(PresenceModel::DeviceCountRole).toInt(), 1);
    QVERIFY(presence->index(row).data(PresenceModel::OnlineSinceRole).toLongLong() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(bob->hubPresence()->rowOfUser(Ana) >= 0,
                             Timeout);

    // A second device of ana: still one row, two devices.
    auto anaPhone = makeSession(Ana, QStringLiteral("ana"));
    QVERIFY(open(anaPhone.get(), General));
    QTRY_COMPARE_WITH_TIMEOUT(presence->index(presence->rowOfUser(Ana))
                                  .data(PresenceModel::DeviceCountRole)
                                  .toInt(),
                              2, Timeout);
    QCOMPARE(inserted.size(), 1);
    anaPhone->disconnectFromHub();
    QTRY_COMPARE_WITH_TIMEOUT(presence->index(presence->rowOfUser(Ana))
                                  .data(PresenceModel::DeviceCountRole)
                                  .toInt(),
                              1, Timeout);
    QCOMPARE(removed.size(), 0);

    ana->disconnectFromHub();
    QCOMPARE(ana->connectionState(), ChatSession::ConnectionState::Disconnected);
    QTRY_COMPARE_WITH_TIMEOUT(presence->rowOfUser(Ana), -1, Timeout);
    QCOMPARE(removed.size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(bob->hubPresence()->rowOfUser(Ana), -1,
                              Timeout);
    QVERIFY(hubRemoved.size() >= 1);
    QCOMPARE(presence->rowCount(), 1);
    QCOMPARE(reset.size(), 0);
}

void tst_ChatSession::statusAndTypingReachOthers()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"));
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    QVERIFY(open(ana.get(), General));
    QVERIFY(open(bob.get(), General));
    PresenceModel *presence = bob->conversation(General)->presence();
    QTRY_VERIFY_WITH_TIMEOUT(presence->rowOfUser(Ana) >= 0, Timeout);

    ana->setStatus(QStringLiteral("away"));
    QCOMPARE(ana->status(), QStringLiteral("away"));
    QTRY_COMPARE_WITH_TIMEOUT(
        presence->entryAt(presence->rowOfUser(Ana)).status,
        QStringLiteral("away"), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(
        bob->hubPresence()
            ->entryAt(bob->hubPresence()->rowOfUser(Ana))
            .status,
        QStringLiteral("away"), Timeout);
    // away sorts after online: bob is first now.
    QCOMPARE(presence->entryAt(0).userId, Bob);

    ana->conversation(General)->setTyping(true);
    QTRY_COMPARE_WITH_TIMEOUT(presence->typingNicks(), QStringList { QStringLiteral("ana") },
                              Timeout);
    ana->conversation(General)->setTyping(false);
    QTRY_VERIFY_WITH_TIMEOUT(presence->typingNicks().isEmpty(), Timeout);
}

void tst_ChatSession::unreadGrowsForOtherTopicAndClears()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"));
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    QVERIFY(open(ana.get(), General));
    QVERIFY(open(bob.get(), General));
    RoomListModel *rooms = bob->rooms();
    const auto unread = [rooms] {
        return rooms->index(rooms->rowOfTopic(General)).data(RoomListModel::UnreadRole).toInt();
    };
    QSignalSpy current(bob.get(), &ChatSession::currentTopicChanged);
    bob->setCurrentTopic(QStringLiteral("room:elsewhere"));
    QCOMPARE(current.size(), 1);
    QSignalSpy changed(rooms, &QAbstractItemModel::dataChanged);

    ana->conversation(General)->send(QStringLiteral("one"));
    ana->conversation(General)->send(QStringLiteral("two"));
    QTRY_COMPARE_WITH_TIMEOUT(unread(), 2, Timeout);
    QVERIFY(!changed.isEmpty());
    // Our own messages never count.
    bob->conversation(General)->send(QStringLiteral("mine"));
    QTRY_COMPARE_WITH_TIMEOUT(
        stateOf(bob->conversation(General)->messages(), QStringLiteral("mine")),
        ChatMessage::State::Sent, Timeout);
    QCOMPARE(unread(), 2);

    bob->setCurrentTopic(General);
    QCOMPARE(bob->currentTopic(), General);
    QCOMPARE(unread(), 0);
    ana->conversation(General)->send(QStringLiteral("three"));
    QTRY_VERIFY_WITH_TIMEOUT(
        rowOfBody(bob->conversation(General)->messages(), QStringLiteral("three")) >= 0, Timeout);
    QCOMPARE(unread(), 0);
}

void tst_ChatSession::createdLockedRoomNeedsPassword()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"));
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    QTRY_COMPARE_WITH_TIMEOUT(ana->connectionState(), ChatSession::ConnectionState::Connected,
                              Timeout);
    QSignalSpy created(ana.get(), &ChatSession::roomCreated);
    QSignalSpy createFailed(ana.get(), &ChatSession::roomCreateFailed);
    ana->createRoom(QStringLiteral("secret"), QStringLiteral("Secret"), QStringLiteral("pw"));
    QVERIFY(created.wait(Timeout));
    QCOMPARE(created.at(0).at(0).toString(), QStringLiteral("secret"));
    QVERIFY(ana->rooms()->rowOfTopic(QStringLiteral("room:secret")) >= 0);

    // bob learns it from rooms_changed: a row insert, locked.
    RoomListModel *rooms = bob->rooms();
    QTRY_VERIFY_WITH_TIMEOUT(rooms->rowOfTopic(QStringLiteral("room:secret")) >= 0, Timeout);
    const QModelIndex index = rooms->index(rooms->rowOfTopic(QStringLiteral("room:secret")));
    QVERIFY(index.data(RoomListModel::LockedRole).toBool());
    QCOMPARE(index.data(Qt::DisplayRole).toString(), QStringLiteral("Secret"));

    ana->createRoom(QStringLiteral("secret"), {}, {});
    QVERIFY(createFailed.wait(Timeout));
    QCOMPARE(createFailed.at(0).at(0).toString(), QStringLiteral("exists"));

    QSignalSpy failed(bob.get(), &ChatSession::topicOpenFailed);
    QSignalSpy opened(bob.get(), &ChatSession::topicOpened);
    bob->openTopic(QStringLiteral("room:secret"));
    QVERIFY(failed.wait(Timeout));
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("room:secret"));
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("unauthorized"));
    QVERIFY(!bob->isOpen(QStringLiteral("room:secret")));
    QVERIFY(!bob->conversation(QStringLiteral("room:secret")));

    bob->openTopic(QStringLiteral("room:secret"), QStringLiteral("wrong"));
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 2, Timeout);

    QVERIFY(open(bob.get(), QStringLiteral("room:secret"), QStringLiteral("pw")));
    QCOMPARE(opened.size(), 1);
    QCOMPARE(failed.size(), 2);
    bob->conversation(QStringLiteral("room:secret"))->send(QStringLiteral("psst"));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(bob->conversation(QStringLiteral("room:secret"))->messages(),
                                      QStringLiteral("psst")),
                              ChatMessage::State::Sent, Timeout);

    bob->closeTopic(QStringLiteral("room:secret"));
    QVERIFY(!bob->conversation(QStringLiteral("room:secret")));
    QVERIFY(!rooms->index(rooms->rowOfTopic(QStringLiteral("room:secret")))
                 .data(RoomListModel::JoinedRole)
                 .toBool());
}

void tst_ChatSession::directMessagesReachTheOtherUser()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"));
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    const QString dm = ana->dmTopicWith(Bob);
    QCOMPARE(dm, Ana < Bob ? QStringLiteral("dm:%1:%2").arg(Ana, Bob) : QStringLiteral("dm:%1:%2").arg(Bob, Ana));
    QCOMPARE(bob->dmTopicWith(Ana), dm);
    QTRY_VERIFY_WITH_TIMEOUT(ana->hubPresence()->rowOfUser(Bob) >= 0,
                             Timeout);
    QVERIFY(open(ana.get(), dm));
    QVERIFY(open(bob.get(), dm));
    // The dm row shows the other user's nick.
    const int row = ana->rooms()->rowOfTopic(dm);
    QVERIFY(row >= 0);
    QVERIFY(ana->rooms()->index(row).data(RoomListModel::IsDmRole).toBool());
    QCOMPARE(ana->rooms()->index(row).data(Qt::DisplayRole).toString(), QStringLiteral("bob"));

    ana->conversation(dm)->send(QStringLiteral("just us"));
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->conversation(dm)->messages()),
                              QStringList { QStringLiteral("just us") }, Timeout);

    // A third user may not join it.
    auto eve = makeSession(Eve, QStringLiteral("eve"));
    QSignalSpy failed(eve.get(), &ChatSession::topicOpenFailed);
    eve->openTopic(dm);
    QVERIFY(failed.wait(Timeout));
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("unauthorized"));
    QCOMPARE(eve->rooms()->rowOfTopic(dm), -1);
}

void tst_ChatSession::directMessageOpensTheConversationForTheOtherUser()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"));
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    QTRY_VERIFY_WITH_TIMEOUT(ana->hubPresence()->rowOfUser(Bob) >= 0,
                             Timeout);
    const QString dm = ana->dmTopicWith(Bob);
    QVERIFY(open(ana.get(), dm));
    QVERIFY(!bob->isOpen(dm)); // bob has not opened it: only ana started the conversation
    QSignalSpy arrived(bob.get(), &ChatSession::messageArrived);
    ana->conversation(dm)->send(QStringLiteral("are you there?"));
    QVERIFY(arrived.wait(Timeout));
    QCOMPARE(arrived.at(0).at(0).toString(), dm);
    QCOMPARE(arrived.at(0).at(1).value<ChatMessage>().body, QStringLiteral("are you there?"));
    QVERIFY(bob->isOpen(dm));
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->conversation(dm)->messages()),
                              QStringList { QStringLiteral("are you there?") }, Timeout);
    const int row = bob->rooms()->rowOfTopic(dm);
    QVERIFY(row >= 0);
    QCOMPARE(bob->rooms()->index(row).data(RoomListModel::UnreadRole).toInt(), 1);
    // Now joined: the next message comes as a plain new_msg, counted once.
    ana->conversation(dm)->send(QStringLiteral("hello?"));
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->conversation(dm)->messages()).size(), 2, Timeout);
    QCOMPARE(bob->rooms()->index(bob->rooms()->rowOfTopic(dm)).data(RoomListModel::UnreadRole).toInt(), 2);
    QCOMPARE(arrived.size(), 2);
}

void tst_ChatSession::refusedConnectShowsReason()
{
    m_hub->stop();
    m_settings.password = QStringLiteral("hub-secret");
    QVERIFY(startHub());
    auto ana = std::make_unique<ChatSession>(
        Identity { TestKeys::of(Ana), QStringLiteral("ana") });
    ana->setTimings(fastTimings());
    QSignalSpy states(ana.get(), &ChatSession::connectionStateChanged);
    ana->connectToHub(m_hub->url(), QStringLiteral("wrong"));
    QTRY_COMPARE_WITH_TIMEOUT(ana->connectionState(), ChatSession::ConnectionState::Refused,
                              Timeout);
    QCOMPARE(ana->refusalReason(), QStringLiteral("unauthorized"));
    QCOMPARE(ana->reconnectInMs(), -1);

    ana->connectToHub(m_hub->url(), QStringLiteral("hub-secret"));
    QTRY_COMPARE_WITH_TIMEOUT(ana->connectionState(), ChatSession::ConnectionState::Connected,
                              Timeout);
    QVERIFY(ana->refusalReason().isEmpty());
}

void tst_ChatSession::topicOpenedBeforeConnectIsJoinedOnConnect()
{
    ChatSession ana(Identity { TestKeys::of(Ana), QStringLiteral("ana") });
    ana.setTimings(fastTimings());
    QSignalSpy opened(&ana, &ChatSession::topicOpened);
    ana.openTopic(General);
    QVERIFY(ana.isOpen(General));
    QVERIFY(!ana.isJoined(General));
    addTesters(&ana, General);
    ana.connectToHub(m_hub->url());
    QVERIFY(opened.wait(Timeout));
    QCOMPARE(opened.at(0).at(0).toString(), General);
    QVERIFY(ana.isJoined(General));

    ana.disconnectFromHub();
    QVERIFY(!ana.isOpen(General));
    QCOMPARE(ana.rooms()->rowCount(), 0);
}

QTEST_GUILESS_MAIN(tst_ChatSession)
#include "tst_chatsession.moc"
