// The client's models (MessageModel, PresenceModel, RoomListModel) under
// QAbstractItemModelTester: precise row signals (inserts, moves, removes, dataChanged with the
// right roles), never a reset, dedupe of messages by id and client_id, presence folding.

#include "client/messagemodel.h"
#include "client/nickdirectory.h"
#include "protocol/identity.h"
#include "client/presencemodel.h"
#include "client/presencesync.h"
#include "client/roomlistmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Parley::Client;

namespace {

const QString Self = QStringLiteral("self-user-0001");
const QString Topic = QStringLiteral("room:general");

ChatMessage message(qint64 id, const QString &userId, const QString &body,
                    const QString &clientId = {})
{
    ChatMessage m;
    m.id = id;
    m.topic = Topic;
    m.userId = userId;
    m.nick = userId.section(QLatin1Char('-'), 0, 0);
    m.body = body;
    m.ts = 1764107000000 + id;
    m.clientId = clientId;
    return m;
}

ChatMessage pending(const QString &body, const QString &clientId)
{
    ChatMessage m = message(0, Self, body, clientId);
    m.state = ChatMessage::State::Pending;
    return m;
}

QList<qint64> ids(const MessageModel &model)
{
    QList<qint64> result;
    for (int row = 0; row < model.rowCount(); ++row)
        result << model.index(row).data(MessageModel::IdRole).toLongLong();
    return result;
}

QList<int> rolesOf(const QSignalSpy &spy, int i)
{
    return spy.at(i).at(2).value<QList<int>>();
}

QJsonObject meta(const QString &nick, const QString &status, const QString &ref, qint64 onlineAt,
                 bool typing = false)
{
    return { { QStringLiteral("nick"), nick },
             { QStringLiteral("status"), status },
             { QStringLiteral("typing"), typing },
             { QStringLiteral("device"), QStringLiteral("desktop") },
             { QStringLiteral("online_at"), double(onlineAt) },
             { QStringLiteral("phx_ref"), ref } };
}

QJsonObject presence(const QList<QJsonObject> &metas)
{
    QJsonArray array;
    for (const QJsonObject &m : metas)
        array.append(m);
    return { { QStringLiteral("metas"), array } };
}

QJsonObject diff(const QJsonObject &joins, const QJsonObject &leaves = {})
{
    return { { QStringLiteral("joins"), joins }, { QStringLiteral("leaves"), leaves } };
}

QStringList userIds(const PresenceModel &model)
{
    QStringList result;
    for (int row = 0; row < model.rowCount(); ++row)
        result << model.index(row).data(PresenceModel::UserIdRole).toString();
    return result;
}

RoomEntry room(const QString &name, int members = 0, bool locked = false)
{
    RoomEntry entry;
    entry.name = name;
    entry.topic = QStringLiteral("room:") + name;
    entry.title = name.toUpper();
    entry.members = members;
    entry.locked = locked;
    return entry;
}

} // namespace

class tst_Models : public QObject
{
    Q_OBJECT

private slots:
    void chatMessageFromJsonReadsEveryField();

    void messagesAreInsertedInIdOrderWithoutDuplicates();
    void pendingMessageBecomesSentOnceOnReply();
    void broadcastBeforeReplyShowsOwnMessageOnce();
    void pendingStaysBelowMessagesOfOthers();
    void failedMessageKeepsItsRow();
    void historyIsPrependedAtRowZero();
    void editAndDeleteUpdateRowsInPlace();
    void aWindowOfRowsKeepsTheUnreadAndWhatIsRead();

    void presenceRowsAreSortedByStatusThenNick();
    void presenceSecondDeviceChangesCountOnly();
    void presenceStatusChangeMovesRow();
    void presenceLeaveRemovesRowOnlyWhenLastDeviceLeaves();
    void presenceTypingAndOnlineSince();
    void presenceRebindReplacesRowsPrecisely();

    void sharedNicksGetATagAndLoseItWhenNoLongerShared();

    void roomListUpdatesRoomsPrecisely();
    void roomListUnreadGrowsAndClears();
    void roomListKeepsDmsAfterRooms();
};

void tst_Models::chatMessageFromJsonReadsEveryField()
{
    const QJsonObject json { { QStringLiteral("id"), 1042 },
                             { QStringLiteral("room"), QStringLiteral("general") },
                             { QStringLiteral("user_id"), QStringLiteral("ana-00000001") },
                             { QStringLiteral("nick"), QStringLiteral("ana") },
                             { QStringLiteral("body"), QStringLiteral("hello") },
                             { QStringLiteral("ts"), 1764107001456.0 },
                             { QStringLiteral("client_id"), QStringLiteral("abcdefgh") },
                             { QStringLiteral("edited_ts"), 1764107002000.0 },
                             { QStringLiteral("deleted"), false } };
    const ChatMessage m = ChatMessage::fromJson(json, Topic);
    QCOMPARE(m.id, 1042);
    QCOMPARE(m.topic, Topic);
    QCOMPARE(m.userId, QStringLiteral("ana-00000001"));
    QCOMPARE(m.nick, QStringLiteral("ana"));
    QCOMPARE(m.body, QStringLiteral("hello"));
    QCOMPARE(m.ts, 1764107001456);
    QCOMPARE(m.clientId, QStringLiteral("abcdefgh"));
    QVERIFY(m.edited);
    QVERIFY(!m.deleted);
    QCOMPARE(m.state, ChatMessage::State::Sent);

    QJsonObject unedited = json;
    unedited.insert(QStringLiteral("edited_ts"), QJsonValue::Null);
    QVERIFY(!ChatMessage::fromJson(unedited, Topic).edited);
    QJsonObject badId = json;
    badId.insert(QStringLiteral("id"), QStringLiteral("1042"));
    QVERIFY(!ChatMessage::fromJson(badId, Topic).isValid());
}

void tst_Models::messagesAreInsertedInIdOrderWithoutDuplicates()
{
    MessageModel model(Topic, Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    QCOMPARE(model.mergeAll({ message(1, QStringLiteral("ana-1"), QStringLiteral("a")),
                              message(3, QStringLiteral("bob-1"), QStringLiteral("c")) }),
             2);
    QVERIFY(model.merge(message(2, QStringLiteral("ana-1"), QStringLiteral("b"))));
    QCOMPARE(ids(model), (QList<qint64> { 1, 2, 3 }));
    QCOMPARE(inserted.size(), 3);
    QCOMPARE(inserted.last().at(1).toInt(), 1); // the out-of-order one went to row 1

    // The same messages again (a catch-up overlapping what we hold): nothing happens.
    QCOMPARE(model.mergeAll({ message(2, QStringLiteral("ana-1"), QStringLiteral("b")),
                              message(3, QStringLiteral("bob-1"), QStringLiteral("c")) }),
             0);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(inserted.size(), 3);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(model.newestId(), 3);
    QCOMPARE(model.oldestId(), 1);
    QCOMPARE(model.index(1).data(Qt::DisplayRole).toString(), QStringLiteral("b"));
    QCOMPARE(reset.size(), 0);
}

void tst_Models::aWindowOfRowsKeepsTheUnreadAndWhatIsRead()
{
    MessageModel model(Topic, Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRowLimit(10);
    const auto post = [&model](qint64 from, qint64 to) {
        for (qint64 id = from; id <= to; ++id)
            model.merge(message(id, QStringLiteral("ana-1"), QStringLiteral("m%1").arg(id)));
    };
    // Up to the limit and a quarter nothing goes; one more and the oldest go down to the limit.
    post(1, 12);
    QCOMPARE(model.rowCount(), 12);
    QVERIFY(!model.hasMore());
    post(13, 13);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.oldestId(), 4);
    QVERIFY(model.hasMore()); // they come back as history
    QCOMPARE(model.newestId(), 13);

    // A history page (prepended) never trims, whatever it makes.
    model.prependHistory({ message(2, QStringLiteral("bo-1"), QStringLiteral("old")),
                           message(3, QStringLiteral("bo-1"), QStringLiteral("old")) },
                         true);
    QCOMPARE(model.rowCount(), 12);

    // Paused (the view is scrolled up): everything stays; unpaused, the window moves.
    model.setTrimPaused(true);
    post(14, 20);
    QCOMPARE(model.rowCount(), 19);
    model.setTrimPaused(false);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.oldestId(), 11);

    // The unread ones (from keepFrom on) stay, however many.
    model.setKeepFrom(15);
    post(21, 40);
    QCOMPARE(model.oldestId(), 15);
    QCOMPARE(model.rowCount(), 26);
    // ... up to 20 times the limit: then memory wins.
    post(41, 260);
    QCOMPARE(model.rowCount(), 200);
    QCOMPARE(model.newestId(), 260);

    // Our own pending message at the end is never dropped.
    model.setKeepFrom(0);
    model.addPending(pending(QStringLiteral("mine"), QStringLiteral("c-1")));
    post(261, 261);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.unconfirmed().size(), 1);
}

void tst_Models::pendingMessageBecomesSentOnceOnReply()
{
    MessageModel model(Topic, Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.merge(message(7, QStringLiteral("bob-1"), QStringLiteral("hi")));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    model.addPending(pending(QStringLiteral("hello"), QStringLiteral("client-0001")));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(1).data(MessageModel::StateRole).toInt(),
             int(ChatMessage::State::Pending));
    QCOMPARE(model.index(1).data(MessageModel::IdRole).toLongLong(), 0);
    QVERIFY(model.index(1).data(MessageModel::IsOwnRole).toBool());
    QCOMPARE(model.newestId(), 7); // a pending message has no id to catch up from

    // The ok reply: same row, now Sent with the hub's id and ts.
    QVERIFY(!model.merge(message(8, Self, QStringLiteral("hello"), QStringLiteral("client-0001"))));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(changed.size(), 1);
    QVERIFY(rolesOf(changed, 0).contains(MessageModel::StateRole));
    QVERIFY(rolesOf(changed, 0).contains(MessageModel::IdRole));
    QCOMPARE(model.index(1).data(MessageModel::StateRole).toInt(), int(ChatMessage::State::Sent));
    QCOMPARE(model.index(1).data(MessageModel::IdRole).toLongLong(), 8);
    QCOMPARE(model.index(1).data(MessageModel::TimestampRole).toLongLong(), 1764107000008);

    // The broadcast of the same message afterwards: nothing changes.
    QVERIFY(!model.merge(message(8, Self, QStringLiteral("hello"), QStringLiteral("client-0001"))));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(changed.size(), 1);
    QVERIFY(model.unconfirmed().isEmpty());
    QCOMPARE(reset.size(), 0);
}

void tst_Models::broadcastBeforeReplyShowsOwnMessageOnce()
{
    MessageModel model(Topic, Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.addPending(pending(QStringLiteral("x"), QStringLiteral("client-0002")));
    const ChatMessage stored = message(3, Self, QStringLiteral("x"), QStringLiteral("client-0002"));
    model.merge(stored); // broadcast first
    model.merge(stored); // then the reply
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.messageAt(0).state, ChatMessage::State::Sent);
    QCOMPARE(model.rowOfClientId(QStringLiteral("client-0002")), 0);

    // Another device of the same user with another client_id is a different message.
    QVERIFY(model.merge(message(4, Self, QStringLiteral("y"), QStringLiteral("client-other"))));
    QCOMPARE(model.rowCount(), 2);
}

void tst_Models::pendingStaysBelowMessagesOfOthers()
{
    MessageModel model(Topic, Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.merge(message(1, QStringLiteral("bob-1"), QStringLiteral("one")));
    model.addPending(pending(QStringLiteral("mine A"), QStringLiteral("client-000A")));
    model.addPending(pending(QStringLiteral("mine B"), QStringLiteral("client-000B")));
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);

    model.merge(message(2, QStringLiteral("bob-1"), QStringLiteral("two")));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 1); // above the pending ones
    QCOMPARE(ids(model), (QList<qint64> { 1, 2, 0, 0 }));

    // B is confirmed before A (another order on the hub): it moves up among the confirmed.
    model.merge(message(3, Self, QStringLiteral("mine B"), QStringLiteral("client-000B")));
    QCOMPARE(moved.size(), 1);
    QCOMPARE(ids(model), (QList<qint64> { 1, 2, 3, 0 }));
    QCOMPARE(model.messageAt(3).clientId, QStringLiteral("client-000A"));
    model.merge(message(4, Self, QStringLiteral("mine A"), QStringLiteral("client-000A")));
    QCOMPARE(ids(model), (QList<qint64> { 1, 2, 3, 4 }));
    QCOMPARE(moved.size(), 1); // already in place
    QCOMPARE(inserted.size(), 1);
}

void tst_Models::failedMessageKeepsItsRow()
{
    MessageModel model(Topic, Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.addPending(pending(QStringLiteral("spam"), QStringLiteral("client-0003")));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.markFailed(QStringLiteral("client-0003"));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(rolesOf(changed, 0).contains(MessageModel::StateRole), true);
    QCOMPARE(model.index(0).data(MessageModel::StateRole).toInt(), int(ChatMessage::State::Failed));
    QCOMPARE(model.unconfirmed().size(), 1);
    model.markPending(QStringLiteral("client-0003"));
    QCOMPARE(model.messageAt(0).state, ChatMessage::State::Pending);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.removeUnconfirmed(QStringLiteral("client-0003"));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(model.rowCount(), 0);
}

void tst_Models::historyIsPrependedAtRowZero()
{
    MessageModel model(Topic, Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setHasMore(true);
    model.mergeAll({ message(10, QStringLiteral("ana-1"), QStringLiteral("ten")),
                     message(11, QStringLiteral("ana-1"), QStringLiteral("eleven")) });
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy loaded(&model, &MessageModel::historyLoaded);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    // A page (oldest first) that overlaps what we hold by one message.
    const int added
        = model.prependHistory({ message(7, QStringLiteral("bob-1"), QStringLiteral("7")),
                                 message(8, QStringLiteral("bob-1"), QStringLiteral("8")),
                                 message(9, QStringLiteral("bob-1"), QStringLiteral("9")),
                                 message(10, QStringLiteral("ana-1"), QStringLiteral("ten")) },
                               false);
    QCOMPARE(added, 3);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 2);
    QCOMPARE(loaded.size(), 1);
    QCOMPARE(loaded.at(0).at(0).toInt(), 3);
    QCOMPARE(ids(model), (QList<qint64> { 7, 8, 9, 10, 11 }));
    QVERIFY(!model.hasMore());
    QCOMPARE(reset.size(), 0);
}

void tst_Models::editAndDeleteUpdateRowsInPlace()
{
    MessageModel model(Topic, Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.mergeAll(
        { message(1, Self, QStringLiteral("typo")), message(2, Self, QStringLiteral("oops")) });
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    ChatMessage edited = message(1, Self, QStringLiteral("fixed"));
    edited.edited = true;
    QVERIFY(model.applyEdit(edited));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 0);
    QVERIFY(rolesOf(changed, 0).contains(MessageModel::BodyRole));
    QVERIFY(rolesOf(changed, 0).contains(MessageModel::EditedRole));
    QCOMPARE(model.index(0).data(MessageModel::BodyRole).toString(), QStringLiteral("fixed"));
    QVERIFY(model.index(0).data(MessageModel::EditedRole).toBool());

    QVERIFY(model.applyDelete(2));
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.at(1).at(0).toModelIndex().row(), 1);
    QVERIFY(model.index(1).data(MessageModel::DeletedRole).toBool());
    QVERIFY(model.index(1).data(MessageModel::BodyRole).toString().isEmpty());
    QCOMPARE(model.rowCount(), 2); // a deleted message keeps its row

    QVERIFY(!model.applyDelete(99));
    QVERIFY(!model.applyEdit(message(99, Self, QStringLiteral("?"))));
    QCOMPARE(changed.size(), 2);
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(removed.size(), 0);
}

void tst_Models::presenceRowsAreSortedByStatusThenNick()
{
    PresenceSync sync([] { return QStringLiteral("1"); });
    PresenceModel model(Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.bindTo(&sync);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    sync.applyState({ { QStringLiteral("u-zed"),
                        presence({ meta(QStringLiteral("zed"), QStringLiteral("online"),
                                        QStringLiteral("r1"), 5) }) },
                      { QStringLiteral("u-bea"),
                        presence({ meta(QStringLiteral("Bea"), QStringLiteral("busy"),
                                        QStringLiteral("r2"), 5) }) },
                      { QStringLiteral("u-amy"),
                        presence({ meta(QStringLiteral("amy"), QStringLiteral("away"),
                                        QStringLiteral("r3"), 5) }) },
                      { QStringLiteral("u-al"),
                        presence({ meta(QStringLiteral("Al"), QStringLiteral("online"),
                                        QStringLiteral("r4"), 5) }) } });
    QCOMPARE(userIds(model),
             (QStringList { QStringLiteral("u-al"), QStringLiteral("u-zed"),
                            QStringLiteral("u-amy"), QStringLiteral("u-bea") }));
    QCOMPARE(inserted.size(), 4);

    // A join lands at its sorted row with one insert.
    sync.applyDiff(diff({ { QStringLiteral("u-bob"),
                            presence({ meta(QStringLiteral("bob"), QStringLiteral("online"),
                                            QStringLiteral("r5"), 6) }) } }));
    QCOMPARE(inserted.size(), 5);
    QCOMPARE(inserted.last().at(1).toInt(), 1);
    QCOMPARE(userIds(model).at(1), QStringLiteral("u-bob"));
    QCOMPARE(model.index(1).data(Qt::DisplayRole).toString(), QStringLiteral("bob"));
    QCOMPARE(reset.size(), 0);
}

void tst_Models::presenceSecondDeviceChangesCountOnly()
{
    PresenceSync sync([] { return QStringLiteral("1"); });
    PresenceModel model(Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.bindTo(&sync);
    sync.applyState({ { QStringLiteral("u-ana"),
                        presence({ meta(QStringLiteral("ana"), QStringLiteral("online"),
                                        QStringLiteral("r1"), 100) }) },
                      { Self,
                        presence({ meta(QStringLiteral("me"), QStringLiteral("online"),
                                        QStringLiteral("r2"), 100) }) } });
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);

    sync.applyDiff(diff({ { QStringLiteral("u-ana"),
                            presence({ meta(QStringLiteral("ana"), QStringLiteral("online"),
                                            QStringLiteral("r3"), 200) }) } }));
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(moved.size(), 0);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(rolesOf(changed, 0), QList<int> { PresenceModel::DeviceCountRole });
    const int row = model.rowOfUser(QStringLiteral("u-ana"));
    QCOMPARE(model.index(row).data(PresenceModel::DeviceCountRole).toInt(), 2);
    QCOMPARE(model.index(row).data(PresenceModel::OnlineSinceRole).toLongLong(), 100);
    QVERIFY(!model.index(row).data(PresenceModel::IsSelfRole).toBool());
    QVERIFY(model.index(model.rowOfUser(Self)).data(PresenceModel::IsSelfRole).toBool());
}

void tst_Models::presenceStatusChangeMovesRow()
{
    PresenceSync sync([] { return QStringLiteral("1"); });
    PresenceModel model(Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.bindTo(&sync);
    sync.applyState({ { QStringLiteral("u-ana"),
                        presence({ meta(QStringLiteral("ana"), QStringLiteral("online"),
                                        QStringLiteral("r1"), 1) }) },
                      { QStringLiteral("u-bob"),
                        presence({ meta(QStringLiteral("bob"), QStringLiteral("online"),
                                        QStringLiteral("r2"), 1) }) },
                      { QStringLiteral("u-cat"),
                        presence({ meta(QStringLiteral("cat"), QStringLiteral("online"),
                                        QStringLiteral("r3"), 1) }) } });
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy moved(&model, &QAbstractItemModel::rowsMoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    // The hub updates a meta as leave(old ref) + join(new ref) in one diff.
    sync.applyDiff(diff({ { QStringLiteral("u-ana"),
                            presence({ meta(QStringLiteral("ana"), QStringLiteral("busy"),
                                            QStringLiteral("r4"), 1) }) } },
                        { { QStringLiteral("u-ana"),
                            presence({ meta(QStringLiteral("ana"), QStringLiteral("online"),
                                            QStringLiteral("r1"), 1) }) } }));
    QCOMPARE(userIds(model),
             (QStringList { QStringLiteral("u-bob"), QStringLiteral("u-cat"),
                            QStringLiteral("u-ana") }));
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(removed.size(), 0);
    QCOMPARE(moved.size(), 1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(rolesOf(changed, 0), QList<int> { PresenceModel::StatusRole });
    QCOMPARE(model.index(2).data(PresenceModel::StatusRole).toString(), QStringLiteral("busy"));

    // Of two devices, the most recent meta (the last) gives the status.
    sync.applyDiff(diff({ { QStringLiteral("u-bob"),
                            presence({ meta(QStringLiteral("bob"), QStringLiteral("away"),
                                            QStringLiteral("r5"), 2) }) } }));
    QCOMPARE(model.index(model.rowOfUser(QStringLiteral("u-bob")))
                 .data(PresenceModel::StatusRole)
                 .toString(),
             QStringLiteral("away"));
    QCOMPARE(userIds(model),
             (QStringList { QStringLiteral("u-cat"), QStringLiteral("u-bob"),
                            QStringLiteral("u-ana") }));
    QCOMPARE(moved.size(), 2);
}

void tst_Models::presenceLeaveRemovesRowOnlyWhenLastDeviceLeaves()
{
    PresenceSync sync([] { return QStringLiteral("1"); });
    PresenceModel model(Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.bindTo(&sync);
    sync.applyState({ { QStringLiteral("u-ana"),
                        presence({ meta(QStringLiteral("ana"), QStringLiteral("online"),
                                        QStringLiteral("r1"), 1),
                                   meta(QStringLiteral("ana"), QStringLiteral("online"),
                                        QStringLiteral("r2"), 2) }) },
                      { QStringLiteral("u-bob"),
                        presence({ meta(QStringLiteral("bob"), QStringLiteral("online"),
                                        QStringLiteral("r3"), 1) }) } });
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    sync.applyDiff(diff({},
                        { { QStringLiteral("u-ana"),
                            presence({ meta(QStringLiteral("ana"), QStringLiteral("online"),
                                            QStringLiteral("r1"), 1) }) } }));
    QCOMPARE(removed.size(), 0);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.index(0).data(PresenceModel::DeviceCountRole).toInt(), 1);
    QCOMPARE(model.index(0).data(PresenceModel::OnlineSinceRole).toLongLong(), 2);

    sync.applyDiff(diff({},
                        { { QStringLiteral("u-ana"),
                            presence({ meta(QStringLiteral("ana"), QStringLiteral("online"),
                                            QStringLiteral("r2"), 2) }) } }));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 0);
    QCOMPARE(userIds(model), QStringList { QStringLiteral("u-bob") });

    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(reset.size(), 0);
}

void tst_Models::presenceTypingAndOnlineSince()
{
    PresenceSync sync([] { return QStringLiteral("1"); });
    PresenceModel model(Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.bindTo(&sync);
    sync.applyState({ { QStringLiteral("u-ana"),
                        presence({ meta(QStringLiteral("ana"), QStringLiteral("online"),
                                        QStringLiteral("r1"), 50, true),
                                   meta(QStringLiteral("ana"), QStringLiteral("online"),
                                        QStringLiteral("r2"), 40) }) },
                      { Self,
                        presence({ meta(QStringLiteral("me"), QStringLiteral("online"),
                                        QStringLiteral("r3"), 1, true) }) } });
    const int ana = model.rowOfUser(QStringLiteral("u-ana"));
    QVERIFY(model.index(ana).data(PresenceModel::TypingRole).toBool());
    QCOMPARE(model.index(ana).data(PresenceModel::OnlineSinceRole).toLongLong(), 40);
    QCOMPARE(model.typingNicks(), QStringList { QStringLiteral("ana") }); // not ourselves

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    sync.applyDiff(diff({ { QStringLiteral("u-ana"),
                            presence({ meta(QStringLiteral("ana"), QStringLiteral("online"),
                                            QStringLiteral("r4"), 50) }) } },
                        { { QStringLiteral("u-ana"),
                            presence({ meta(QStringLiteral("ana"), QStringLiteral("online"),
                                            QStringLiteral("r1"), 50, true) }) } }));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(rolesOf(changed, 0), QList<int> { PresenceModel::TypingRole });
    QVERIFY(model.typingNicks().isEmpty());
}

void tst_Models::presenceRebindReplacesRowsPrecisely()
{
    PresenceSync first([] { return QStringLiteral("1"); });
    PresenceModel model(Self);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.bindTo(&first);
    first.applyState({ { QStringLiteral("u-ana"),
                         presence({ meta(QStringLiteral("ana"), QStringLiteral("online"),
                                         QStringLiteral("r1"), 1) }) },
                       { QStringLiteral("u-bob"),
                         presence({ meta(QStringLiteral("bob"), QStringLiteral("online"),
                                         QStringLiteral("r2"), 1) }) } });
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    // A new channel of the same topic: rows stay until its first state arrives.
    PresenceSync second([] { return QStringLiteral("2"); });
    model.bindTo(&second);
    QCOMPARE(model.rowCount(), 2);
    second.applyState({ { QStringLiteral("u-bob"),
                          presence({ meta(QStringLiteral("bob"), QStringLiteral("online"),
                                          QStringLiteral("r2"), 1) }) },
                        { QStringLiteral("u-cat"),
                          presence({ meta(QStringLiteral("cat"), QStringLiteral("online"),
                                          QStringLiteral("r3"), 1) }) } });
    QCOMPARE(userIds(model), (QStringList { QStringLiteral("u-bob"), QStringLiteral("u-cat") }));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(changed.size(), 0);

    // The old sync no longer drives the model.
    first.applyDiff(diff({ { QStringLiteral("u-dan"),
                             presence({ meta(QStringLiteral("dan"), QStringLiteral("online"),
                                             QStringLiteral("r4"), 1) }) } }));
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(reset.size(), 0);
}

void tst_Models::sharedNicksGetATagAndLoseItWhenNoLongerShared()
{
    // Two people called Ana (one writes it "ana "), a Bo: only the Anas get a tag, in the
    // people list and in message headers, and each model says so with dataChanged.
    const QString anaOne = Parley::Protocol::Identity::KeyPair::generate().userId();
    const QString anaTwo = Parley::Protocol::Identity::KeyPair::generate().userId();
    const QString bo = Parley::Protocol::Identity::KeyPair::generate().userId();
    NickDirectory nicks;
    PresenceModel people(Self);
    QAbstractItemModelTester peopleTester(&people, QAbstractItemModelTester::FailureReportingMode::QtTest);
    people.setNickDirectory(&nicks);
    MessageModel messages(Topic, Self);
    QAbstractItemModelTester messagesTester(&messages, QAbstractItemModelTester::FailureReportingMode::QtTest);
    messages.setNickDirectory(&nicks);
    people.setPresence(anaOne, presence({ meta(QStringLiteral("Ana"), QStringLiteral("online"), QStringLiteral("r1"), 1) }));
    people.setPresence(bo, presence({ meta(QStringLiteral("Bo"), QStringLiteral("online"), QStringLiteral("r2"), 1) }));
    ChatMessage fromAna = message(1, anaOne, QStringLiteral("hi"));
    fromAna.nick = QStringLiteral("Ana");
    messages.merge(fromAna);
    nicks.set(anaOne, QStringLiteral("Ana"));
    nicks.set(bo, QStringLiteral("Bo"));
    const auto shownIn = [](const QAbstractItemModel &model, int row, int role) {
        return model.index(row, 0).data(role).toString();
    };
    QCOMPARE(shownIn(people, people.rowOfUser(anaOne), PresenceModel::DisplayNameRole), QStringLiteral("Ana"));
    QCOMPARE(shownIn(messages, 0, MessageModel::DisplayNameRole), QStringLiteral("Ana"));

    QSignalSpy peopleChanged(&people, &QAbstractItemModel::dataChanged);
    QSignalSpy messagesChanged(&messages, &QAbstractItemModel::dataChanged);
    nicks.set(anaTwo, QStringLiteral("ana ")); // the same nick, another person
    const QString tagOne = Parley::Protocol::Identity::shortTag(anaOne);
    QCOMPARE(tagOne.size(), 4);
    QCOMPARE(shownIn(people, people.rowOfUser(anaOne), PresenceModel::DisplayNameRole),
             QStringLiteral("Ana · ") + tagOne);
    QCOMPARE(shownIn(people, people.rowOfUser(bo), PresenceModel::DisplayNameRole), QStringLiteral("Bo"));
    QCOMPARE(shownIn(messages, 0, MessageModel::DisplayNameRole), QStringLiteral("Ana · ") + tagOne);
    QCOMPARE(nicks.displayName(anaTwo, QStringLiteral("ana ")), QStringLiteral("ana  · ") + Parley::Protocol::Identity::shortTag(anaTwo));
    QCOMPARE(peopleChanged.size(), 1);
    QCOMPARE(rolesOf(peopleChanged, 0), QList<int> { PresenceModel::DisplayNameRole });
    QCOMPARE(messagesChanged.size(), 1);
    QCOMPARE(rolesOf(messagesChanged, 0), QList<int> { MessageModel::DisplayNameRole });
    QVERIFY(people.index(people.rowOfUser(anaOne), 0).data(PresenceModel::FingerprintRole).toString().size() == 39);

    // The second Ana leaves: no tag any more.
    nicks.remove(anaTwo);
    QCOMPARE(shownIn(people, people.rowOfUser(anaOne), PresenceModel::DisplayNameRole), QStringLiteral("Ana"));
    QCOMPARE(shownIn(messages, 0, MessageModel::DisplayNameRole), QStringLiteral("Ana"));
    QCOMPARE(peopleChanged.size(), 2);
    QCOMPARE(messagesChanged.size(), 2);
    // A nick change that makes no one share a nick changes nothing.
    nicks.set(bo, QStringLiteral("Bo B."));
    QCOMPARE(peopleChanged.size(), 2);
}

void tst_Models::roomListUpdatesRoomsPrecisely()
{
    RoomListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);

    model.setRooms({ room(QStringLiteral("general"), 3), room(QStringLiteral("dev"), 1) });
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(model.topicAt(0), QStringLiteral("room:dev"));
    QCOMPARE(model.topicAt(1), QStringLiteral("room:general"));
    QCOMPARE(model.rowOfTopic(QStringLiteral("room:general")), 1);
    QCOMPARE(model.index(1).data(Qt::DisplayRole).toString(), QStringLiteral("GENERAL"));
    model.setJoined(QStringLiteral("room:general"), true);
    changed.clear();

    // rooms_changed: general's count changes, dev vanishes, zoo is new.
    model.setRooms({ room(QStringLiteral("general"), 4), room(QStringLiteral("zoo"), 0, true) });
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.size(), 3);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(rolesOf(changed, 0), QList<int> { RoomListModel::MembersRole });
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.index(0).data(RoomListModel::MembersRole).toInt(), 4);
    QVERIFY(model.index(0).data(RoomListModel::JoinedRole).toBool()); // local state is kept
    QVERIFY(model.index(1).data(RoomListModel::LockedRole).toBool());

    // The same list again changes nothing.
    model.setRooms({ room(QStringLiteral("general"), 4), room(QStringLiteral("zoo"), 0, true) });
    QCOMPARE(changed.size(), 1);
    QCOMPARE(inserted.size(), 3);
    QCOMPARE(reset.size(), 0);
}

void tst_Models::roomListUnreadGrowsAndClears()
{
    RoomListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRooms({ room(QStringLiteral("general")), room(QStringLiteral("dev")) });
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.incrementUnread(QStringLiteral("room:general"));
    model.incrementUnread(QStringLiteral("room:general"));
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
    QCOMPARE(rolesOf(changed, 0), QList<int> { RoomListModel::UnreadRole });
    QCOMPARE(model.index(1).data(RoomListModel::UnreadRole).toInt(), 2);
    QCOMPARE(model.totalUnread(), 2);

    model.clearUnread(QStringLiteral("room:general"));
    QCOMPARE(changed.size(), 3);
    QCOMPARE(model.index(1).data(RoomListModel::UnreadRole).toInt(), 0);
    model.clearUnread(QStringLiteral("room:general")); // already read: no signal
    QCOMPARE(changed.size(), 3);

    model.setLastActivity(QStringLiteral("room:dev"), 500);
    model.setLastActivity(QStringLiteral("room:dev"), 400); // never backwards
    QCOMPARE(model.index(0).data(RoomListModel::LastActivityRole).toLongLong(), 500);
    QCOMPARE(changed.size(), 4);
}

void tst_Models::roomListKeepsDmsAfterRooms()
{
    RoomListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRooms({ room(QStringLiteral("general")) });
    RoomEntry dm;
    dm.topic = QStringLiteral("dm:a-000000:b-000000");
    dm.name = QStringLiteral("b-000000");
    dm.title = QStringLiteral("b-000000");
    dm.isDm = true;
    model.upsert(dm);
    QCOMPARE(model.topicAt(1), dm.topic);
    QVERIFY(model.index(1).data(RoomListModel::IsDmRole).toBool());

    // A new room goes above the dms; a rooms_changed does not drop the dm.
    model.setRooms({ room(QStringLiteral("general")), room(QStringLiteral("zzz")) });
    QCOMPARE(model.topicAt(1), QStringLiteral("room:zzz"));
    QCOMPARE(model.topicAt(2), dm.topic);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setTitle(dm.topic, QStringLiteral("bob"));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.index(2).data(Qt::DisplayRole).toString(), QStringLiteral("bob"));
    model.remove(dm.topic);
    QCOMPARE(model.rowCount(), 2);
}

QTEST_GUILESS_MAIN(tst_Models)
#include "tst_models.moc"
