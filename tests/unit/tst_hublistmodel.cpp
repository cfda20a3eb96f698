// Client::HubListModel, the hub rail's model, under QAbstractItemModelTester: rows follow their
// sessions (added, replaced in place, removed), the one shown moves to a neighbour when it goes,
// and unread and mention counts are the sums over each session's rooms. Sessions are never
// connected here: the model only reads them.

#include "client/chatsession.h"
#include "client/hublistmodel.h"
#include "client/roomlistmodel.h"
#include "testkeys.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace Parley;
using Client::ChatSession;
using Client::HubListModel;

namespace {

std::unique_ptr<ChatSession> session(const QString &host, quint16 port)
{
    Client::Identity identity;
    identity.key = Testing::TestKeys::forLabel(QStringLiteral("ana"));
    identity.nick = QStringLiteral("Ana");
    auto made = std::make_unique<ChatSession>(identity);
    // The model reads the mount URL; the connect goes to port 9 (discard) on a loopback
    // address, which nothing listens on here: refused, never connected.
    made->connectToHub(QUrl(QStringLiteral("ws://%1:%2/socket").arg(host).arg(port)));
    return made;
}

Client::RoomEntry room(const QString &name)
{
    Client::RoomEntry entry;
    entry.name = name;
    entry.topic = QStringLiteral("room:") + name;
    entry.title = name;
    return entry;
}

} // namespace

class TestHubListModel : public QObject
{
    Q_OBJECT

private slots:
    void rowsFollowTheSessions();
    void theHubShownMovesToANeighbourWhenItGoes_data();
    void theHubShownMovesToANeighbourWhenItGoes();
    void unreadAndMentionsAreSummedOverRooms();
};

void TestHubListModel::rowsFollowTheSessions()
{
    HubListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto own = session(QStringLiteral("127.0.0.1"), 9);
    auto team = session(QStringLiteral("127.0.0.2"), 9);
    model.append(own.get(), true);
    model.append(team.get(), false);
    model.append(team.get(), false); // once only
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.hosted(), own.get());
    QCOMPARE(model.index(0).data(HubListModel::HostedRole).toBool(), true);
    QCOMPARE(model.index(1).data(HubListModel::HostedRole).toBool(), false);
    // Before the lobby answers, a hub is called by its address.
    QCOMPARE(model.index(1).data(HubListModel::NameRole).toString(), QStringLiteral("127.0.0.2:9"));
    QCOMPARE(model.index(1).data(HubListModel::ConnectedRole).toBool(), false);
    QCOMPARE(model.index(1).data(HubListModel::SessionRole).value<QObject *>(), team.get());

    // A session made again (new nick or identity) keeps the row and being shown.
    model.setCurrent(team.get());
    auto again = session(QStringLiteral("127.0.0.2"), 9);
    QSignalSpy moved(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy current(&model, &HubListModel::currentChanged);
    model.replace(team.get(), again.get());
    QCOMPARE(moved.size(), 0);
    QCOMPARE(model.sessionAt(1), again.get());
    QCOMPARE(model.current(), again.get());
    QCOMPARE(current.size(), 1);
    QCOMPARE(model.rowOf(team.get()), -1);

    model.remove(own.get());
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(!model.hosted());
    QCOMPARE(model.sessionAt(0), again.get());
}

void TestHubListModel::theHubShownMovesToANeighbourWhenItGoes_data()
{
    QTest::addColumn<int>("shown");
    QTest::addColumn<int>("removed");
    QTest::addColumn<int>("shownAfter"); // a row of the model after the removal, -1: none
    QTest::addRow("another one goes") << 0 << 2 << 0;
    QTest::addRow("the first: the next") << 0 << 0 << 0;
    QTest::addRow("the middle: the next") << 1 << 1 << 1;
    QTest::addRow("the last: the one before") << 2 << 2 << 1;
}

void TestHubListModel::theHubShownMovesToANeighbourWhenItGoes()
{
    QFETCH(int, shown);
    QFETCH(int, removed);
    QFETCH(int, shownAfter);
    HubListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    std::vector<std::unique_ptr<ChatSession>> sessions;
    for (int i = 0; i < 3; ++i) {
        sessions.push_back(session(QStringLiteral("127.0.0.%1").arg(i + 1), 9));
        model.append(sessions.back().get(), false);
    }
    model.setCurrent(sessions.at(shown).get());
    QCOMPARE(model.index(shown).data(HubListModel::CurrentRole).toBool(), true);
    model.remove(sessions.at(removed).get());
    QCOMPARE(model.rowOf(model.current()), shownAfter);
    int currentRows = 0;
    for (int row = 0; row < model.rowCount(); ++row)
        currentRows += model.index(row).data(HubListModel::CurrentRole).toBool() ? 1 : 0;
    QCOMPARE(currentRows, 1);

    // The last one gone: nothing is shown.
    while (model.rowCount() > 0)
        model.remove(model.sessionAt(0));
    QVERIFY(!model.current());
}

void TestHubListModel::unreadAndMentionsAreSummedOverRooms()
{
    HubListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto hub = session(QStringLiteral("127.0.0.1"), 9);
    model.append(hub.get(), false);
    Client::RoomListModel *rooms = hub->rooms();
    rooms->upsert(room(QStringLiteral("general")));
    rooms->upsert(room(QStringLiteral("random")));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    rooms->incrementUnread(QStringLiteral("room:general"));
    rooms->incrementUnread(QStringLiteral("room:random"), 1, true);
    rooms->incrementUnread(QStringLiteral("room:random"), 2, true);
    const QModelIndex row = model.index(0);
    QCOMPARE(row.data(HubListModel::UnreadRole).toInt(), 4);
    QCOMPARE(row.data(HubListModel::MentionsRole).toInt(), 3);
    QCOMPARE(changed.size(), 3);
    QVERIFY(changed.last().at(2).value<QList<int>>().contains(HubListModel::UnreadRole));

    rooms->clearUnread(QStringLiteral("room:random"));
    QCOMPARE(row.data(HubListModel::UnreadRole).toInt(), 1);
    QCOMPARE(row.data(HubListModel::MentionsRole).toInt(), 0);
    rooms->remove(QStringLiteral("room:general")); // a room that goes takes its count along
    QCOMPARE(row.data(HubListModel::UnreadRole).toInt(), 0);
}

QTEST_GUILESS_MAIN(TestHubListModel)
#include "tst_hublistmodel.moc"
