// Conversation, one open room of a ChatSession, against a real hub on 127.0.0.1 (port 0): a
// message shows once for its sender (Pending, then Sent) and once for the others, catch-up with
// after_id after a hub restart (nothing missed, nothing twice), a message sent while the hub is
// down delivered once, edits and deletes (also made offline, from the Outbox), history paging.

#include "chatsessionfixture.h"

class tst_Conversation : public QObject, private ChatSessionFixture
{
    Q_OBJECT

private slots:
    void init() { setUpHub(); }
    void cleanup() { tearDownHub(); }

    void messageShowsOnceForSenderAndOthers();
    void catchUpAfterHubRestartMissesNothing();
    void messageSentWhileHubIsDownIsDeliveredOnce();
    void editAndDeletePropagate();
    void editAndDeleteMadeOfflineApplyOnReconnect();
    void loadOlderPrependsHistory();

private:
    // Both open General; author posts "tpyo" then "regret", and reader has both, with the ids.
    bool postTypoAndRegret(ChatSession *author, ChatSession *reader, qint64 *typo, qint64 *regret);
};

void tst_Conversation::messageShowsOnceForSenderAndOthers()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"));
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    QVERIFY(open(ana.get(), General));
    QVERIFY(open(bob.get(), General));
    MessageModel *anaMessages = ana->conversation(General)->messages();
    MessageModel *bobMessages = bob->conversation(General)->messages();
    QSignalSpy anaInserted(anaMessages, &QAbstractItemModel::rowsInserted);
    QSignalSpy anaChanged(anaMessages, &QAbstractItemModel::dataChanged);
    QSignalSpy anaReset(anaMessages, &QAbstractItemModel::modelReset);
    QSignalSpy bobReset(bobMessages, &QAbstractItemModel::modelReset);
    QSignalSpy bobArrived(bob.get(), &ChatSession::messageArrived);
    QSignalSpy anaArrived(ana.get(), &ChatSession::messageArrived);

    ana->conversation(General)->send(QStringLiteral("hello bob"));
    // Shown at once, pending.
    QCOMPARE(anaMessages->rowCount(), 1);
    QCOMPARE(anaInserted.size(), 1);
    QCOMPARE(stateOf(anaMessages, QStringLiteral("hello bob")), ChatMessage::State::Pending);
    const QString clientId = anaMessages->messageAt(0).clientId;
    QVERIFY2(QRegularExpression(QStringLiteral("^[A-Za-z0-9_-]{8,64}$")).match(clientId).hasMatch(),
             qPrintable(clientId));

    QTRY_COMPARE_WITH_TIMEOUT(stateOf(anaMessages, QStringLiteral("hello bob")),
                              ChatMessage::State::Sent, Timeout);
    QVERIFY(anaMessages->messageAt(0).id > 0);
    QVERIFY(anaChanged.size() >= 1);
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bobMessages), QStringList { QStringLiteral("hello bob") },
                              Timeout);
    QCOMPARE(bobMessages->messageAt(0).id, anaMessages->messageAt(0).id);
    QCOMPARE(bobMessages->messageAt(0).nick, QStringLiteral("ana"));
    QVERIFY(!bobMessages->index(0).data(MessageModel::IsOwnRole).toBool());
    QCOMPARE(bobArrived.size(), 1);

    // A reply from bob comes after anything ana's connection could still deliver (the reply
    // and the broadcast of ana's message): so now ana holds each message exactly once.
    bob->conversation(General)->send(QStringLiteral("hi ana"));
    QTRY_COMPARE_WITH_TIMEOUT(
        bodies(anaMessages),
        (QStringList { QStringLiteral("hello bob"), QStringLiteral("hi ana") }), Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(bobMessages, QStringLiteral("hi ana")),
                              ChatMessage::State::Sent, Timeout);
    QCOMPARE(bodies(bobMessages),
             (QStringList { QStringLiteral("hello bob"), QStringLiteral("hi ana") }));
    QCOMPARE(anaInserted.size(), 2);
    QCOMPARE(anaArrived.size(), 1);
    QCOMPARE(anaReset.size(), 0);
    QCOMPARE(bobReset.size(), 0);
}

void tst_Conversation::catchUpAfterHubRestartMissesNothing()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"), lazyTimings());
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    QVERIFY(open(ana.get(), General));
    QVERIFY(open(bob.get(), General));
    bob->conversation(General)->send(QStringLiteral("before"));
    QTRY_COMPARE_WITH_TIMEOUT(bodies(ana->conversation(General)->messages()),
                              QStringList { QStringLiteral("before") }, Timeout);

    const quint16 port = m_hub->port();
    m_hub->stop();
    QTRY_COMPARE_WITH_TIMEOUT(ana->connectionState(), ChatSession::ConnectionState::Reconnecting,
                              Timeout);
    QVERIFY(ana->reconnectInMs() > 0);
    QVERIFY(startHub(port));

    // bob is back at once; ana waits. bob says more than a join page (50) and more than a
    // catch-up page (500) meanwhile: the join's after_id page plus history pages from the newest
    // end must bring ana everything, without leaving and rejoining the room.
    QTRY_VERIFY_WITH_TIMEOUT(bob->isJoined(General), Timeout);
    QStringList expected { QStringLiteral("before") };
    constexpr int Missed = 520;
    for (int i = 1; i <= Missed; ++i) {
        expected << QStringLiteral("missed %1").arg(i);
        bob->conversation(General)->send(expected.last());
    }
    QTRY_VERIFY_WITH_TIMEOUT(bob->conversation(General)->messages()->unconfirmed().isEmpty(),
                             3 * Timeout);
    QCOMPARE(bodies(bob->conversation(General)->messages()), expected);
    QCOMPARE(ana->conversation(General)->messages()->rowCount(), 1);

    MessageModel *messages = ana->conversation(General)->messages();
    QSignalSpy reset(messages, &QAbstractItemModel::modelReset);
    QSignalSpy arrived(ana.get(), &ChatSession::messageArrived);
    // bob must see ana come back once, not leave and return while she catches up.
    QSignalSpy anaLeftForBob(bob->conversation(General)->presence(),
                             &QAbstractItemModel::rowsRemoved);
    ana->reconnectNow();
    QTRY_COMPARE_WITH_TIMEOUT(ana->connectionState(), ChatSession::ConnectionState::Connected,
                              Timeout);
    QTRY_COMPARE_WITH_TIMEOUT(messages->rowCount(), Missed + 1, 3 * Timeout);
    QCOMPARE(bodies(messages), expected);
    QCOMPARE(arrived.size(), Missed);
    QCOMPARE(reset.size(), 0);
    QTRY_VERIFY_WITH_TIMEOUT(ana->isJoined(General), Timeout);

    // A live message after the catch-up comes after it, once.
    bob->conversation(General)->send(QStringLiteral("after"));
    QTRY_COMPARE_WITH_TIMEOUT(messages->rowCount(), Missed + 2, Timeout);
    QCOMPARE(bodies(messages).last(), QStringLiteral("after"));
    // bob gets his own "after" back behind anything the hub sent him before it, such as a
    // presence leave of ana during her catch-up: there was none.
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->conversation(General)->messages()).last(),
                              QStringLiteral("after"), Timeout);
    QCOMPARE(anaLeftForBob.size(), 0);
}

void tst_Conversation::messageSentWhileHubIsDownIsDeliveredOnce()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"), lazyTimings());
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    QVERIFY(open(ana.get(), General));
    QVERIFY(open(bob.get(), General));

    // In flight when the hub goes away: written to the socket, never read by the hub.
    ana->conversation(General)->send(QStringLiteral("in flight"));
    const quint16 port = m_hub->port();
    m_hub->stop();
    QTRY_COMPARE_WITH_TIMEOUT(ana->connectionState(), ChatSession::ConnectionState::Reconnecting,
                              Timeout);
    // Typed while the hub is down.
    ana->conversation(General)->send(QStringLiteral("while down"));
    MessageModel *messages = ana->conversation(General)->messages();
    QCOMPARE(stateOf(messages, QStringLiteral("while down")), ChatMessage::State::Pending);
    QCOMPARE(messages->unconfirmed().size() >= 1, true);

    QVERIFY(startHub(port));
    ana->reconnectNow();
    QTRY_VERIFY_WITH_TIMEOUT(messages->unconfirmed().isEmpty(), Timeout);
    QCOMPARE(bodies(messages),
             (QStringList { QStringLiteral("in flight"), QStringLiteral("while down") }));
    QCOMPARE(stateOf(messages, QStringLiteral("while down")), ChatMessage::State::Sent);

    // bob sees each once (sentinel: a message ana sends after them arrives after them).
    ana->conversation(General)->send(QStringLiteral("sentinel"));
    QTRY_VERIFY_WITH_TIMEOUT(
        rowOfBody(bob->conversation(General)->messages(), QStringLiteral("sentinel")) >= 0,
        Timeout);
    QCOMPARE(bodies(bob->conversation(General)->messages()),
             (QStringList { QStringLiteral("in flight"), QStringLiteral("while down"),
                            QStringLiteral("sentinel") }));
}

bool tst_Conversation::postTypoAndRegret(ChatSession *author, ChatSession *reader, qint64 *typo,
                                         qint64 *regret)
{
    if (!open(author, General) || !open(reader, General))
        return false;
    author->conversation(General)->send(QStringLiteral("tpyo"));
    author->conversation(General)->send(QStringLiteral("regret"));
    const MessageModel *theirs = reader->conversation(General)->messages();
    if (!QTest::qWaitFor([theirs] { return theirs->rowCount() == 2; }, Timeout))
        return false;
    *typo = theirs->messageAt(0).id;
    *regret = theirs->messageAt(1).id;
    return theirs->messageAt(0).body == QLatin1String("tpyo")
        && theirs->messageAt(1).body == QLatin1String("regret");
}

void tst_Conversation::editAndDeletePropagate()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"));
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    qint64 typo = 0;
    qint64 regret = 0;
    QVERIFY(postTypoAndRegret(ana.get(), bob.get(), &typo, &regret));
    MessageModel *theirs = bob->conversation(General)->messages();
    QSignalSpy inserted(theirs, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(theirs, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(theirs, &QAbstractItemModel::dataChanged);

    ana->conversation(General)->edit(typo, QStringLiteral("typo"));
    QTRY_COMPARE_WITH_TIMEOUT(theirs->index(0).data(MessageModel::BodyRole).toString(),
                              QStringLiteral("typo"), Timeout);
    QVERIFY(theirs->index(0).data(MessageModel::EditedRole).toBool());
    QTRY_VERIFY_WITH_TIMEOUT(ana->conversation(General)->messages()->messageAt(0).edited, Timeout);

    ana->conversation(General)->remove(regret);
    QTRY_VERIFY_WITH_TIMEOUT(theirs->index(1).data(MessageModel::DeletedRole).toBool(), Timeout);
    QVERIFY(theirs->index(1).data(MessageModel::BodyRole).toString().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(ana->conversation(General)->messages()->messageAt(1).deleted, Timeout);
    QCOMPARE(theirs->rowCount(), 2);
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(removed.size(), 0);
    QVERIFY(changed.size() >= 2);

    // Only the author may: bob's attempt is refused and shown as an error.
    QSignalSpy errors(bob.get(), &ChatSession::errorOccurred);
    bob->conversation(General)->edit(typo, QStringLiteral("hijacked"));
    QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, Timeout);
    QVERIFY(errors.at(0).at(0).toString().contains(QLatin1String("forbidden")));
    QCOMPARE(theirs->messageAt(0).body, QStringLiteral("typo"));
}

void tst_Conversation::editAndDeleteMadeOfflineApplyOnReconnect()
{
    Timings timings = lazyTimings();
    timings.pushTimeoutMs = 300; // ordinary pushes give up quickly
    timings.offlineChangeTimeoutMs = 60'000;
    auto ana = makeSession(Ana, QStringLiteral("ana"), timings);
    auto bob = makeSession(Bob, QStringLiteral("bob"));
    qint64 typo = 0;
    qint64 regret = 0;
    QVERIFY(postTypoAndRegret(ana.get(), bob.get(), &typo, &regret));

    const quint16 port = m_hub->port();
    m_hub->stop();
    QTRY_COMPARE_WITH_TIMEOUT(ana->connectionState(), ChatSession::ConnectionState::Reconnecting,
                              Timeout);
    QSignalSpy errors(ana.get(), &ChatSession::errorOccurred);
    ana->conversation(General)->edit(typo, QStringLiteral("typo"));
    ana->conversation(General)->remove(regret);
    // An ordinary push made at the same time times out: the hub has been gone for longer than
    // the push timeout, which the edit and the delete outlive.
    QSignalSpy createFailed(ana.get(), &ChatSession::roomCreateFailed);
    ana->createRoom(QStringLiteral("later"), QStringLiteral("Later"), {});
    QTRY_COMPARE_WITH_TIMEOUT(createFailed.size(), 1, Timeout);
    QCOMPARE(createFailed.at(0).at(0).toString(), QStringLiteral("timeout"));

    QVERIFY(startHub(port));
    ana->reconnectNow();
    // The hub took both (their replies update ana's own rows) ...
    MessageModel *mine = ana->conversation(General)->messages();
    QTRY_VERIFY_WITH_TIMEOUT(mine->messageAt(0).edited && mine->messageAt(1).deleted, Timeout);
    QCOMPARE(mine->messageAt(0).body, QStringLiteral("typo"));
    QCOMPARE(errors.size(), 0);
    // ... and stored them: someone who opens the room now gets the changed history.
    auto carol = makeSession(Carol, QStringLiteral("carol"));
    QVERIFY(open(carol.get(), General));
    const MessageModel *fresh = carol->conversation(General)->messages();
    QCOMPARE(fresh->rowCount(), 2);
    QCOMPARE(fresh->messageAt(0).body, QStringLiteral("typo"));
    QVERIFY(fresh->messageAt(0).edited);
    QVERIFY(fresh->messageAt(1).deleted);
}

void tst_Conversation::loadOlderPrependsHistory()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"));
    QVERIFY(open(ana.get(), General));
    for (int i = 1; i <= 60; ++i)
        ana->conversation(General)->send(QStringLiteral("m%1").arg(i));
    QTRY_VERIFY_WITH_TIMEOUT(ana->conversation(General)->messages()->unconfirmed().isEmpty(),
                             Timeout);

    auto bob = makeSession(Bob, QStringLiteral("bob"));
    QVERIFY(open(bob.get(), General));
    MessageModel *messages = bob->conversation(General)->messages();
    QCOMPARE(messages->rowCount(), 50);
    QVERIFY(messages->hasMore());
    QCOMPARE(messages->messageAt(0).body, QStringLiteral("m11"));
    QSignalSpy inserted(messages, &QAbstractItemModel::rowsInserted);
    QSignalSpy loaded(messages, &MessageModel::historyLoaded);
    QSignalSpy arrived(bob.get(), &ChatSession::messageArrived);

    bob->conversation(General)->loadOlder();
    QVERIFY(loaded.wait(Timeout));
    QCOMPARE(loaded.at(0).at(0).toInt(), 10);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 9);
    QCOMPARE(messages->rowCount(), 60);
    QCOMPARE(messages->messageAt(0).body, QStringLiteral("m1"));
    QVERIFY(!messages->hasMore());
    QCOMPARE(arrived.size(), 0); // history is not news

    bob->conversation(General)->loadOlder(); // nothing older: no request
    QCOMPARE(messages->rowCount(), 60);
}

QTEST_GUILESS_MAIN(tst_Conversation)
#include "tst_conversation.moc"
