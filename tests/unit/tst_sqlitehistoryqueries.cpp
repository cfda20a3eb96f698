// SqliteHistoryStore reads and writes: rooms, appending and ids, history pages, single messages,
// edits and deletions, meta values and the JSON shape of a stored message.

#include "hub/passwordhash.h"
#include "sqlitehistorytesthelpers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Parley::Hub;
using namespace HistoryStoreTest;

class TestSqliteHistoryQueries : public QObject, public HistoryStoreFixture
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }
    void cleanup() { m_dir.reset(); }

    // --- rooms ---

    void createsAndListsRooms()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        auto rooms = store->rooms(&error);
        QVERIFY2(rooms, qPrintable(error));
        QVERIFY(rooms->isEmpty());

        const auto locked = PasswordHash::hash(QStringLiteral("secret"));
        QVERIFY(store->createRoom(
            { QStringLiteral("general"), QStringLiteral("General"), {}, {}, 1000, {} }, &error));
        QVERIFY(
            store->createRoom({ QStringLiteral("attic"), QStringLiteral("The attic"), locked.hash,
                                locked.salt, 2000, QStringLiteral("ownerOfTheAttic") },
                              &error));
        rooms = store->rooms(&error);
        QVERIFY(rooms);
        QCOMPARE(rooms->size(), 2);
        const RoomRecord attic = rooms->at(0); // ordered by name
        QCOMPARE(attic.name, QStringLiteral("attic"));
        QCOMPARE(attic.title, QStringLiteral("The attic"));
        QCOMPARE(attic.passwordHash, locked.hash);
        QCOMPARE(attic.passwordSalt, locked.salt);
        QCOMPARE(attic.createdTs, 2000);
        QCOMPARE(attic.owner, QStringLiteral("ownerOfTheAttic"));
        QVERIFY(attic.isLocked());
        const RoomRecord general = rooms->at(1);
        QCOMPARE(general.name, QStringLiteral("general"));
        QVERIFY(!general.isLocked());
        QVERIFY(general.passwordSalt.isEmpty());
        QCOMPARE(general.createdTs, 1000);
        QCOMPARE(general.owner, QString());
    }

    void createRoomRejectsADuplicateName()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        QVERIFY(store->createRoom(
            { QStringLiteral("general"), QStringLiteral("General"), {}, {}, 1, {} }, &error));
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store->createRoom(
            { QStringLiteral("general"), QStringLiteral("Other"), {}, {}, 2, {} }, &error));
        QVERIFY(error.contains(QStringLiteral("already exists")));
        const auto rooms = store->rooms(&error);
        QVERIFY(rooms);
        QCOMPARE(rooms->size(), 1);
        QCOMPARE(rooms->constFirst().title, QStringLiteral("General")); // the first one stays
    }

    void roomWithoutTitleIsStored()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        QVERIFY2(store->createRoom({ QStringLiteral("x"), QString(), {}, {}, 1, {} }, &error),
                 qPrintable(error));
        QCOMPARE(store->rooms(&error)->constFirst().title, QString());
    }

    void dmNameWorksAsRoomKey()
    {
        const QString dm = QStringLiteral("dm:aaaaaaaa:bbbbbbbb");
        auto store = openStore();
        QVERIFY(store);
        QString error;
        QVERIFY(store->createRoom({ dm, QString(), {}, {}, 1, {} }, &error));
        const auto appended = store->append({ msg(dm, QStringLiteral("psst")) }, &error);
        QVERIFY(appended);
        QVERIFY(
            store->append({ msg(QStringLiteral("general"), QStringLiteral("public")) }, &error));
        const auto page = store->latest(dm, 50, &error);
        QVERIFY(page);
        QCOMPARE(page->messages.size(), 1);
        QCOMPARE(page->messages.constFirst().room, dm);
        QCOMPARE(page->messages.constFirst().body, QStringLiteral("psst"));
        QCOMPARE(store->lastId(dm), appended->constFirst().message.id);
        QCOMPARE(store->rooms(&error)->constFirst().name, dm);
    }

    // --- append and ids ---

    void appendGivesIncreasingIds()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        const auto one
            = store->append({ msg(QStringLiteral("general"), QStringLiteral("a")) }, &error);
        QVERIFY2(one, qPrintable(error));
        QCOMPARE(one->size(), 1);
        const AppendResult first = one->constFirst();
        QVERIFY(!first.duplicate);
        QVERIFY(first.message.id > 0);
        QCOMPARE(first.message.room, QStringLiteral("general"));
        QCOMPARE(first.message.userId, QStringLiteral("u-ana"));
        QCOMPARE(first.message.nick, QStringLiteral("ana"));
        QCOMPARE(first.message.body, QStringLiteral("a"));
        QCOMPARE(first.message.ts, 1764107001000);
        QVERIFY(first.message.clientId.isEmpty());
        QVERIFY(!first.message.editedTs);
        QVERIFY(!first.message.deleted);
        QCOMPARE(store->message(first.message.id, &error), first.message);

        const auto batch = store->append({ msg(QStringLiteral("general"), QStringLiteral("b")),
                                           msg(QStringLiteral("other"), QStringLiteral("c")),
                                           msg(QStringLiteral("general"), QStringLiteral("d")) },
                                         &error);
        QVERIFY(batch);
        QCOMPARE(batch->size(), 3);
        qint64 previous = first.message.id;
        for (const AppendResult &r : *batch) {
            QVERIFY(r.message.id > previous);
            previous = r.message.id;
            QCOMPARE(store->message(r.message.id, &error), r.message);
        }
        QCOMPARE(batch->at(1).message.body, QStringLiteral("c")); // results in input order
        QCOMPARE(store->lastId(QStringLiteral("general")), batch->at(2).message.id);
        QCOMPARE(store->lastId(QStringLiteral("other")), batch->at(1).message.id);
        QCOMPARE(store->lastId(QStringLiteral("nobody-here")), 0);
    }

    void appendOfNothingIsOk()
    {
        auto store = openStore();
        QVERIFY(store);
        const auto result = store->append({}, nullptr);
        QVERIFY(result);
        QVERIFY(result->isEmpty());
    }

    void idsContinueAfterReopen()
    {
        qint64 last = 0;
        {
            auto store = openStore();
            QVERIFY(store);
            last = fill(*store, QStringLiteral("general"), 3).constLast();
        }
        auto store = openStore();
        QVERIFY(store);
        QCOMPARE(store->lastId(QStringLiteral("general")), last);
        const auto next = fill(*store, QStringLiteral("general"), 1);
        QCOMPARE(next.size(), 1);
        QVERIFY(next.constFirst() > last);
    }

    void idsAreNotReusedAfterTheNewestRowIsDeleted()
    {
        qint64 last = 0;
        {
            auto store = openStore();
            QVERIFY(store);
            last = fill(*store, QStringLiteral("general"), 3).constLast();
            // markDeleted keeps the row, and the sequence
            QVERIFY(store->markDeleted(last, 5, nullptr));
            const qint64 afterMark = fill(*store, QStringLiteral("general"), 1).constFirst();
            QVERIFY(afterMark > last);
            last = afterMark;
        }
        {
            // even a row removed for good (a future retention job) must not give its id back
            RawConnection raw(dbPath());
            QVERIFY(raw.exec(QStringLiteral("DELETE FROM messages WHERE id = %1").arg(last)));
        }
        auto store = openStore();
        QVERIFY(store);
        const auto next = fill(*store, QStringLiteral("general"), 1);
        QCOMPARE(next.size(), 1);
        QVERIFY(next.constFirst() > last);
    }

    // --- history pages ---

    void latestReturnsNewestOldestFirst_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("limit");
        QTest::addColumn<QList<qint64>>("expected"); // positions 1..count
        QTest::addColumn<bool>("hasMore");

        QTest::addRow("empty room") << 0 << 50 << QList<qint64> {} << false;
        QTest::addRow("fewer than limit") << 3 << 50 << range(1, 3) << false;
        QTest::addRow("exactly limit") << 5 << 5 << range(1, 5) << false;
        QTest::addRow("one more than limit") << 6 << 5 << range(2, 6) << true;
        QTest::addRow("many more") << 20 << 5 << range(16, 20) << true;
        QTest::addRow("limit one") << 2 << 1 << range(2, 2) << true;
    }
    void latestReturnsNewestOldestFirst()
    {
        QFETCH(int, count);
        QFETCH(int, limit);
        QFETCH(QList<qint64>, expected);
        QFETCH(bool, hasMore);

        auto store = openStore();
        QVERIFY(store);
        fill(*store, QStringLiteral("noise"), 2); // another room's messages never show up
        const QList<qint64> ids = fill(*store, QStringLiteral("general"), count);
        QCOMPARE(ids.size(), count);
        QList<qint64> expectedIds;
        for (qint64 position : expected)
            expectedIds.append(ids.at(position - 1));

        QString error;
        const auto page = store->latest(QStringLiteral("general"), limit, &error);
        QVERIFY2(page, qPrintable(error));
        QCOMPARE(idsOf(page->messages), expectedIds);
        QCOMPARE(page->hasMore, hasMore);
    }

    void afterReturnsUpToLimit_data()
    {
        QTest::addColumn<int>("afterPosition"); // 0: before everything
        QTest::addColumn<int>("limit");
        QTest::addColumn<QList<qint64>>("expected"); // positions in 1..10
        QTest::addColumn<bool>("hasMore");

        QTest::addRow("all of them") << 0 << 500 << range(1, 10) << false;
        QTest::addRow("exactly the rest") << 5 << 5 << range(6, 10) << false;
        QTest::addRow("one more than limit") << 4 << 5 << range(5, 9) << true;
        QTest::addRow("caught up") << 10 << 5 << QList<qint64> {} << false;
        QTest::addRow("limit one") << 8 << 1 << range(9, 9) << true;
    }
    void afterReturnsUpToLimit()
    {
        QFETCH(int, afterPosition);
        QFETCH(int, limit);
        QFETCH(QList<qint64>, expected);
        QFETCH(bool, hasMore);

        auto store = openStore();
        QVERIFY(store);
        QList<qint64> ids;
        for (int i = 0; i < 10; ++i) { // interleaved with another room
            ids += fill(*store, QStringLiteral("general"), 1);
            fill(*store, QStringLiteral("noise"), 1);
        }
        const qint64 afterId = afterPosition == 0 ? 0 : ids.at(afterPosition - 1);
        QList<qint64> expectedIds;
        for (qint64 position : expected)
            expectedIds.append(ids.at(position - 1));

        QString error;
        const auto page = store->after(QStringLiteral("general"), afterId, limit, &error);
        QVERIFY2(page, qPrintable(error));
        QCOMPARE(idsOf(page->messages), expectedIds);
        QCOMPARE(page->hasMore, hasMore);
    }

    void beforePagesBackwards()
    {
        auto store = openStore();
        QVERIFY(store);
        const QList<qint64> ids = fill(*store, QStringLiteral("general"), 12);
        QString error;

        auto page = store->before(QStringLiteral("general"), ids.constLast() + 1, 5, &error);
        QVERIFY(page);
        QCOMPARE(idsOf(page->messages), ids.mid(7, 5));
        QVERIFY(page->hasMore);

        page = store->before(QStringLiteral("general"), page->messages.constFirst().id, 5, &error);
        QVERIFY(page);
        QCOMPARE(idsOf(page->messages), ids.mid(2, 5));
        QVERIFY(page->hasMore);

        page = store->before(QStringLiteral("general"), page->messages.constFirst().id, 5, &error);
        QVERIFY(page);
        QCOMPARE(idsOf(page->messages), ids.mid(0, 2));
        QVERIFY(!page->hasMore);

        page = store->before(QStringLiteral("general"), ids.constFirst(), 5, &error);
        QVERIFY(page);
        QVERIFY(page->messages.isEmpty());
        QVERIFY(!page->hasMore);

        page = store->before(QStringLiteral("general"), ids.at(5), 5, &error); // exactly 5 older
        QVERIFY(page);
        QCOMPARE(idsOf(page->messages), ids.mid(0, 5));
        QVERIFY(!page->hasMore);
    }

    void pagesRejectANonPositiveLimit()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store->latest(QStringLiteral("general"), 0, &error));
        QVERIFY(!error.isEmpty());
        error.clear();
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store->after(QStringLiteral("general"), 0, -1, &error));
        QVERIFY(!error.isEmpty());
        error.clear();
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store->before(QStringLiteral("general"), 10, 0, &error));
        QVERIFY(!error.isEmpty());
    }

    // --- single messages, edit, delete ---

    void missingMessageIsNulloptWithoutError()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error = QStringLiteral("stale");
        QVERIFY(!store->message(42, &error));
        QVERIFY(error.isEmpty());
        error = QStringLiteral("stale");
        QVERIFY(!store->edit(42, QStringLiteral("x"), 1, &error));
        QVERIFY(error.isEmpty());
        error = QStringLiteral("stale");
        QVERIFY(!store->markDeleted(42, 1, &error));
        QVERIFY(error.isEmpty());
    }

    void editSetsBodyAndEditedTs()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        const StoredMessage original
            = store
                  ->append({ msg(QStringLiteral("general"), QStringLiteral("helo"),
                                 QStringLiteral("client-0005")) },
                           &error)
                  ->constFirst()
                  .message;
        const auto edited
            = store->edit(original.id, QStringLiteral("hello"), 1764107009999, &error);
        QVERIFY2(edited, qPrintable(error));
        QCOMPARE(edited->id, original.id);
        QCOMPARE(edited->body, QStringLiteral("hello"));
        QCOMPARE(edited->editedTs, std::optional<qint64>(1764107009999));
        QCOMPARE(edited->ts, original.ts);
        QCOMPARE(edited->clientId, original.clientId);
        QVERIFY(!edited->deleted);
        QCOMPARE(store->message(original.id, &error), edited);
        QCOMPARE(store->latest(QStringLiteral("general"), 1, &error)->messages.constFirst(),
                 *edited);
    }

    void markDeletedEmptiesBodyAndKeepsId()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        const QList<qint64> ids = fill(*store, QStringLiteral("general"), 3);
        const auto deleted = store->markDeleted(ids.at(1), 1764107008000, &error);
        QVERIFY2(deleted, qPrintable(error));
        QCOMPARE(deleted->id, ids.at(1));
        QVERIFY(deleted->deleted);
        QVERIFY(deleted->body.isEmpty());
        QCOMPARE(deleted->editedTs, std::optional<qint64>(1764107008000));

        // still in history, in place, so clients can blank it
        const auto page = store->latest(QStringLiteral("general"), 50, &error);
        QCOMPARE(idsOf(page->messages), ids);
        QCOMPARE(page->messages.at(1), *deleted);

        // deleting again changes nothing; editing a deleted message is "not found"
        const auto again = store->markDeleted(ids.at(1), 1764107009000, &error);
        QVERIFY(again);
        QCOMPARE(*again, *deleted);
        error = QStringLiteral("stale");
        QVERIFY(!store->edit(ids.at(1), QStringLiteral("back"), 1764107010000, &error));
        QVERIFY(error.isEmpty());
        QCOMPARE(store->message(ids.at(1), &error), deleted);
    }

    // --- meta ---

    void metaGetAndSet()
    {
        auto store = openStore();
        QVERIFY(store);
        QCOMPARE(store->meta(QStringLiteral("hub_id")), QString());
        QString error;
        QVERIFY(store->setMeta(QStringLiteral("hub_id"), QStringLiteral("h-1"), &error));
        QVERIFY(store->setMeta(QStringLiteral("name"), QStringLiteral("Office"), &error));
        QCOMPARE(store->meta(QStringLiteral("hub_id")), QStringLiteral("h-1"));
        QVERIFY(store->setMeta(QStringLiteral("name"), QStringLiteral("Attic"), &error));
        QCOMPARE(store->meta(QStringLiteral("name")), QStringLiteral("Attic"));
        QVERIFY(store->setMeta(QStringLiteral("name"), QString(), &error));
        QCOMPARE(store->meta(QStringLiteral("name")), QString());
    }

    // --- JSON ---

    void toJsonHasTheProtocolShape()
    {
        StoredMessage m;
        m.id = 1042;
        m.room = QStringLiteral("general");
        m.userId = QStringLiteral("u-ana");
        m.nick = QStringLiteral("ana");
        m.body = QStringLiteral("hello");
        m.ts = 1764107001456;
        const QJsonObject plain = m.toJson();
        QCOMPARE(plain.keys(),
                 (QStringList { "body", "client_id", "deleted", "edited_ts", "id", "nick", "room",
                                "ts", "user_id" }));
        QVERIFY(plain.value(QLatin1String("client_id")).isNull());
        QVERIFY(plain.value(QLatin1String("edited_ts")).isNull());
        QCOMPARE(plain.value(QLatin1String("deleted")), QJsonValue(false));
        QCOMPARE(plain.value(QLatin1String("id")).toInteger(), 1042);
        QCOMPARE(plain.value(QLatin1String("ts")).toInteger(), 1764107001456);
        QCOMPARE(plain.value(QLatin1String("room")).toString(), QStringLiteral("general"));
        QCOMPARE(plain.value(QLatin1String("user_id")).toString(), QStringLiteral("u-ana"));
        QCOMPARE(plain.value(QLatin1String("nick")).toString(), QStringLiteral("ana"));
        QCOMPARE(plain.value(QLatin1String("body")).toString(), QStringLiteral("hello"));
        // integers, not floats, on the wire
        QVERIFY(
            QJsonDocument(plain).toJson(QJsonDocument::Compact).contains("\"ts\":1764107001456"));

        m.clientId = QStringLiteral("client-0006");
        m.editedTs = 1764107002000;
        m.deleted = true;
        const QJsonObject full = m.toJson();
        QCOMPARE(full.value(QLatin1String("client_id")).toString(), m.clientId);
        QCOMPARE(full.value(QLatin1String("edited_ts")).toInteger(), 1764107002000);
        QCOMPARE(full.value(QLatin1String("deleted")), QJsonValue(true));
    }
};

QTEST_GUILESS_MAIN(TestSqliteHistoryQueries)
#include "tst_sqlitehistoryqueries.moc"
