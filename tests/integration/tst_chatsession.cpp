// ChatSession and its models against a real hub on 127.0.0.1 (port 0): a message shows once for
// its sender (Pending, then Sent) and once for the others, presence rows follow joins and
// leaves, unread counts, catch-up with after_id after a hub restart (nothing missed, nothing
// twice), resend of unacked messages, edit/delete, history paging, rooms and passwords.

#include "testhub.h"
#include "testkeys.h"
#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/messagemodel.h"
#include "client/presencemodel.h"
#include "client/roomlistmodel.h"
#include "hub/hubrunner.h"
#include "hub/hubsettings.h"

#include <QAbstractItemModelTester>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Parley::Client;
using Parley::Hub::HubRunner;
using Parley::Hub::HubSettings;
namespace TestKeys = Parley::Testing::TestKeys;

namespace {

// The test users: fixed key pairs, so their user_ids are the same in every run.
const QString Ana = TestKeys::userId(QStringLiteral("ana"));
const QString Bob = TestKeys::userId(QStringLiteral("bob"));
const QString Carol = TestKeys::userId(QStringLiteral("carol"));
const QString Eve = TestKeys::userId(QStringLiteral("eve"));

const QString General = QStringLiteral("room:general");
constexpr int Timeout = 10'000;

Timings fastTimings()
{
    Timings timings;
    timings.reconnectSteps = { 10, 50, 100 };
    timings.reconnectMaxMs = 200;
    timings.rejoinSteps = { 100, 200 };
    timings.rejoinMaxMs = 500;
    timings.pushTimeoutMs = 5'000;
    return timings;
}

// Reconnects only when told to (reconnectNow), so a test decides when it comes back.
Timings lazyTimings()
{
    Timings timings = fastTimings();
    timings.reconnectSteps = { 600'000 };
    timings.reconnectMaxMs = 600'000;
    return timings;
}

QStringList bodies(const MessageModel *model)
{
    QStringList result;
    for (int row = 0; row < model->rowCount(); ++row)
        result << model->index(row).data(MessageModel::BodyRole).toString();
    return result;
}

int rowOfBody(const MessageModel *model, const QString &body)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row).data(MessageModel::BodyRole).toString() == body)
            return row;
    }
    return -1;
}

ChatMessage::State stateOf(const MessageModel *model, const QString &body)
{
    const int row = rowOfBody(model, body);
    return row < 0 ? ChatMessage::State::Failed : model->messageAt(row).state;
}

} // namespace

class tst_ChatSession : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void lobbyGivesHubInfoAndRooms();
    void messageShowsOnceForSenderAndOthers();
    void presenceShowsOtherUserAndDropsItOnDisconnect();
    void bigHubListsActiveUsersAndCountsEveryone();
    void statusAndTypingReachOthers();
    void unreadGrowsForOtherTopicAndClears();
    void catchUpAfterHubRestartMissesNothing();
    void messageSentWhileHubIsDownIsDeliveredOnce();
    void editAndDeletePropagate();
    void editAndDeleteMadeOfflineApplyOnReconnect();
    void loadOlderPrependsHistory();
    void createdLockedRoomNeedsPassword();
    void directMessagesReachTheOtherUser();
    void directMessageOpensTheConversationForTheOtherUser();
    void refusedConnectShowsReason();
    void topicOpenedBeforeConnectIsJoinedOnConnect();

private:
    bool startHub(quint16 port = 0);
    std::unique_ptr<ChatSession> makeSession(const QString &userId, const QString &nick,
                                             const Timings &timings = fastTimings());
    bool open(ChatSession *session, const QString &topic, const QString &password = {});
    // Both open General; author posts "tpyo" then "regret", and reader has both, with the ids.
    bool postTypoAndRegret(ChatSession *author, ChatSession *reader, qint64 *typo, qint64 *regret);
    void addTesters(ChatSession *session, const QString &topic);

    HubSettings m_settings;
    std::unique_ptr<QTemporaryDir> m_dataDir;
    std::unique_ptr<HubRunner> m_hub;
    QList<std::shared_ptr<QAbstractItemModelTester>> m_testers;
};

void tst_ChatSession::init()
{
    m_dataDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dataDir->isValid());
    m_settings = Parley::Testing::TestHub::settings();
    m_settings.dataDir = m_dataDir->path();
    m_settings.maxRate = 0;
    QVERIFY(startHub());
}

void tst_ChatSession::cleanup()
{
    m_testers.clear();
    if (m_hub)
        m_hub->stop();
    m_hub.reset();
    m_dataDir.reset();
}

bool tst_ChatSession::startHub(quint16 port)
{
    m_settings.port = port;
    m_hub = std::make_unique<HubRunner>(m_settings);
    QString error;
    if (!m_hub->start(&error)) {
        qWarning() << "hub did not start:" << error;
        return false;
    }
    return true;
}

std::unique_ptr<ChatSession>
tst_ChatSession::makeSession(const QString &userId, const QString &nick, const Timings &timings)
{
    auto session = std::make_unique<ChatSession>(Identity { TestKeys::of(userId), nick });
    session->setTimings(timings);
    m_testers << std::make_shared<QAbstractItemModelTester>(
        session->rooms(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_testers << std::make_shared<QAbstractItemModelTester>(
        session->hubPresence(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    session->connectToHub(m_hub->url());
    return session;
}

void tst_ChatSession::addTesters(ChatSession *session, const QString &topic)
{
    m_testers << std::make_shared<QAbstractItemModelTester>(
        session->conversation(topic)->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_testers << std::make_shared<QAbstractItemModelTester>(
        session->conversation(topic)->presence(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

bool tst_ChatSession::open(ChatSession *session, const QString &topic, const QString &password)
{
    session->openTopic(topic, password);
    if (!session->conversation(topic))
        return false;
    addTesters(session, topic);
    return QTest::qWaitFor([&] { return session->isJoined(topic); }, Timeout);
}

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

void tst_ChatSession::messageShowsOnceForSenderAndOthers()
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
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(bob->conversation(General)->messages(), QStringLiteral("mine")),
                              ChatMessage::State::Sent, Timeout);
    QCOMPARE(unread(), 2);

    bob->setCurrentTopic(General);
    QCOMPARE(bob->currentTopic(), General);
    QCOMPARE(unread(), 0);
    ana->conversation(General)->send(QStringLiteral("three"));
    QTRY_VERIFY_WITH_TIMEOUT(rowOfBody(bob->conversation(General)->messages(), QStringLiteral("three")) >= 0,
                             Timeout);
    QCOMPARE(unread(), 0);
}

void tst_ChatSession::catchUpAfterHubRestartMissesNothing()
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
    QTRY_VERIFY_WITH_TIMEOUT(bob->conversation(General)->messages()->unconfirmed().isEmpty(), 3 * Timeout);
    QCOMPARE(bodies(bob->conversation(General)->messages()), expected);
    QCOMPARE(ana->conversation(General)->messages()->rowCount(), 1);

    MessageModel *messages = ana->conversation(General)->messages();
    QSignalSpy reset(messages, &QAbstractItemModel::modelReset);
    QSignalSpy arrived(ana.get(), &ChatSession::messageArrived);
    // bob must see ana come back once, not leave and return while she catches up.
    QSignalSpy anaLeftForBob(bob->conversation(General)->presence(), &QAbstractItemModel::rowsRemoved);
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
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->conversation(General)->messages()).last(), QStringLiteral("after"), Timeout);
    QCOMPARE(anaLeftForBob.size(), 0);
}

void tst_ChatSession::messageSentWhileHubIsDownIsDeliveredOnce()
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
    QTRY_VERIFY_WITH_TIMEOUT(rowOfBody(bob->conversation(General)->messages(), QStringLiteral("sentinel")) >= 0,
                             Timeout);
    QCOMPARE(bodies(bob->conversation(General)->messages()),
             (QStringList { QStringLiteral("in flight"), QStringLiteral("while down"),
                            QStringLiteral("sentinel") }));
}

bool tst_ChatSession::postTypoAndRegret(ChatSession *author, ChatSession *reader, qint64 *typo,
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

void tst_ChatSession::editAndDeletePropagate()
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

void tst_ChatSession::editAndDeleteMadeOfflineApplyOnReconnect()
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

void tst_ChatSession::loadOlderPrependsHistory()
{
    auto ana = makeSession(Ana, QStringLiteral("ana"));
    QVERIFY(open(ana.get(), General));
    for (int i = 1; i <= 60; ++i)
        ana->conversation(General)->send(QStringLiteral("m%1").arg(i));
    QTRY_VERIFY_WITH_TIMEOUT(ana->conversation(General)->messages()->unconfirmed().isEmpty(), Timeout);

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
    QTRY_COMPARE_WITH_TIMEOUT(
        stateOf(bob->conversation(QStringLiteral("room:secret"))->messages(), QStringLiteral("psst")),
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
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->conversation(dm)->messages()), QStringList { QStringLiteral("just us") },
                              Timeout);

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
    QTRY_COMPARE_WITH_TIMEOUT(bodies(bob->conversation(dm)->messages()), QStringList { QStringLiteral("are you there?") },
                              Timeout);
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
