// SqliteHistoryStore across opens and failures: schema, pragmas and migrations, idempotent appends
// that survive a reopen, and every failure reported as an error, never a crash or a false ok.

#include "sqlitehistorytesthelpers.h"

#include <QFile>
#include <QTest>

using namespace Parley::Hub;
using namespace HistoryStoreTest;

class TestSqliteHistoryDurability : public QObject, public HistoryStoreFixture
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }
    void cleanup() { m_dir.reset(); }

    // --- opening, pragmas, migrations ---

    void openCreatesSchemaAtLatestVersion()
    {
        auto store = openStore();
        QVERIFY(store);
        QVERIFY(store->isOpen());
        QVERIFY(SqliteHistoryStore::latestSchemaVersion() >= 1);
        RawConnection raw(dbPath());
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(),
                 SqliteHistoryStore::latestSchemaVersion());
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name IN"
                                           " ('meta', 'rooms', 'messages',"
                                           " 'messages_user_client', 'messages_room_id')"))
                     .toInt(),
                 5);
    }

    void walModeIsOn()
    {
        auto store = openStore();
        QVERIFY(store);
        QVERIFY(store->setMeta(QStringLiteral("k"), QStringLiteral("v"), nullptr));
        RawConnection raw(dbPath());
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA journal_mode")).toString(),
                 QStringLiteral("wal"));
        QVERIFY(QFile::exists(dbPath() + QStringLiteral("-wal")));
    }

    void migratesAnEmptyFile()
    {
        QFile file(dbPath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        QCOMPARE(QFile(dbPath()).size(), 0);

        auto store = openStore();
        QVERIFY(store);
        QVERIFY(store->append({ msg(QStringLiteral("general"), QStringLiteral("hi")) }, nullptr));
        QCOMPARE(store->lastId(QStringLiteral("general")), 1);
    }

    void reopeningKeepsVersionAndData()
    {
        {
            auto store = openStore();
            QVERIFY(store);
            QVERIFY(store->setMeta(QStringLiteral("hub_id"), QStringLiteral("abc"), nullptr));
        }
        auto store = openStore();
        QVERIFY(store);
        QCOMPARE(store->meta(QStringLiteral("hub_id")), QStringLiteral("abc"));
        RawConnection raw(dbPath());
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(),
                 SqliteHistoryStore::latestSchemaVersion());
    }

    void refusesASchemaNewerThanItsOwn()
    {
        {
            RawConnection raw(dbPath());
            QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = 999")));
        }
        SqliteHistoryStore store(dbPath());
        QString error;
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store.open(&error));
        QVERIFY2(error.contains(QStringLiteral("999")), qPrintable(error));
        QVERIFY(!store.isOpen());
    }

    void twoStoresCoexist()
    {
        auto a = openStore(m_dir->filePath(QStringLiteral("a.db")));
        auto b = openStore(m_dir->filePath(QStringLiteral("b.db")));
        QVERIFY(a && b);
        QVERIFY(a->setMeta(QStringLiteral("name"), QStringLiteral("A"), nullptr));
        QVERIFY(b->setMeta(QStringLiteral("name"), QStringLiteral("B"), nullptr));
        QCOMPARE(a->meta(QStringLiteral("name")), QStringLiteral("A"));
        QCOMPARE(b->meta(QStringLiteral("name")), QStringLiteral("B"));
    }

    // --- idempotency ---

    void sameClientIdIsStoredOnce()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        const QString cid = QStringLiteral("client-0001");
        const auto first = store->append(
            { msg(QStringLiteral("general"), QStringLiteral("hello"), cid) }, &error);
        QVERIFY(first);
        QVERIFY(!first->constFirst().duplicate);
        QCOMPARE(first->constFirst().message.clientId, cid);

        fill(*store, QStringLiteral("general"), 2); // others in between

        auto resend = msg(QStringLiteral("general"), QStringLiteral("hello (resent)"), cid);
        resend.ts += 5000;
        const auto second = store->append({ resend }, &error);
        QVERIFY(second);
        QCOMPARE(second->size(), 1);
        QVERIFY(second->constFirst().duplicate);
        QCOMPARE(second->constFirst().message, first->constFirst().message); // the original

        const auto page = store->latest(QStringLiteral("general"), 50, &error);
        QCOMPARE(page->messages.size(), 3);
    }

    void sameClientIdInsideOneBatchIsStoredOnce()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        const QString cid = QStringLiteral("client-0002");
        const auto result
            = store->append({ msg(QStringLiteral("general"), QStringLiteral("one"), cid),
                              msg(QStringLiteral("general"), QStringLiteral("two")),
                              msg(QStringLiteral("general"), QStringLiteral("one again"), cid) },
                            &error);
        QVERIFY2(result, qPrintable(error));
        QCOMPARE(result->size(), 3);
        QVERIFY(!result->at(0).duplicate);
        QVERIFY(!result->at(1).duplicate);
        QVERIFY(result->at(2).duplicate);
        QCOMPARE(result->at(2).message, result->at(0).message);
        QCOMPARE(result->at(2).message.body, QStringLiteral("one"));
        QCOMPARE(store->latest(QStringLiteral("general"), 50, &error)->messages.size(), 2);
    }

    void sameClientIdFromDifferentUsersIsDistinct()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        const QString cid = QStringLiteral("client-0003");
        const auto result
            = store->append({ msg(QStringLiteral("general"), QStringLiteral("from ana"), cid,
                                  QStringLiteral("u-ana")),
                              msg(QStringLiteral("general"), QStringLiteral("from bob"), cid,
                                  QStringLiteral("u-bob")) },
                            &error);
        QVERIFY(result);
        QVERIFY(!result->at(0).duplicate);
        QVERIFY(!result->at(1).duplicate);
        QVERIFY(result->at(0).message.id != result->at(1).message.id);
    }

    void emptyClientIdIsNeverADuplicate()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        const auto result = store->append({ msg(QStringLiteral("general"), QStringLiteral("x")),
                                            msg(QStringLiteral("general"), QStringLiteral("x")) },
                                          &error);
        QVERIFY(result);
        QVERIFY(!result->at(0).duplicate);
        QVERIFY(!result->at(1).duplicate);
        RawConnection raw(dbPath());
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM messages WHERE client_id IS NULL"))
                     .toInt(),
                 2); // stored as NULL, so the partial unique index leaves them alone
    }

    void idempotencySurvivesReopen()
    {
        const QString cid = QStringLiteral("client-0004");
        StoredMessage original;
        {
            auto store = openStore();
            QVERIFY(store);
            original = store
                           ->append({ msg(QStringLiteral("general"), QStringLiteral("a"), cid) },
                                    nullptr)
                           ->constFirst()
                           .message;
        }
        auto store = openStore();
        QVERIFY(store);
        const auto again
            = store->append({ msg(QStringLiteral("general"), QStringLiteral("a"), cid) }, nullptr);
        QVERIFY(again);
        QVERIFY(again->constFirst().duplicate);
        QCOMPARE(again->constFirst().message, original);
    }

    // --- failures are errors, never crashes or false oks ---

    void openFailsOnGarbage()
    {
        QFile file(dbPath());
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(8192, 'x')); // not an SQLite header
        file.close();

        SqliteHistoryStore store(dbPath());
        QString error;
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store.open(&error));
        QVERIFY2(!error.isEmpty(), "an error message");
        QVERIFY(!store.isOpen());
        // a store that did not open answers with errors too
        error.clear();
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store.append({ msg(QStringLiteral("general"), QStringLiteral("x")) }, &error));
        QVERIFY(!error.isEmpty());
    }

    void openFailsInAMissingDirectory()
    {
        SqliteHistoryStore store(m_dir->filePath(QStringLiteral("no/such/dir/hub.db")));
        QString error;
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store.open(&error));
        QVERIFY(!error.isEmpty());
    }

    void unopenedStoreAnswersWithErrors()
    {
        SqliteHistoryStore store(dbPath());
        QString error;
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store.rooms(&error));
        QVERIFY(!error.isEmpty());
        error.clear();
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store.message(1, &error));
        QVERIFY(!error.isEmpty()); // unlike "not found"
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QCOMPARE(store.lastId(QStringLiteral("general")), 0);
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QCOMPARE(store.meta(QStringLiteral("hub_id")), QString());
    }

    void lockedDatabaseFailsAppendCleanly()
    {
        auto store = std::make_unique<SqliteHistoryStore>(dbPath());
        store->setBusyTimeout(50);
        QString error;
        QVERIFY2(store->open(&error), qPrintable(error));
        const QList<qint64> before = fill(*store, QStringLiteral("general"), 2);

        {
            RawConnection other(dbPath()); // another process holding the write lock
            QVERIFY(other.exec(QStringLiteral("BEGIN IMMEDIATE")));
            QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
            QVERIFY(
                !store->append({ msg(QStringLiteral("general"), QStringLiteral("lost")) }, &error));
            QVERIFY(!error.isEmpty());
            error.clear();
            QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
            QVERIFY(!store->setMeta(QStringLiteral("k"), QStringLiteral("v"), &error));
            QVERIFY(!error.isEmpty());
            // readers are not blocked by a writer in WAL mode
            const auto page = store->latest(QStringLiteral("general"), 50, &error);
            QVERIFY(page);
            QCOMPARE(idsOf(page->messages), before);
            QVERIFY(other.exec(QStringLiteral("ROLLBACK")));
        }

        // nothing half-written, and the store works again once the lock is gone
        const auto page = store->latest(QStringLiteral("general"), 50, &error);
        QCOMPARE(idsOf(page->messages), before);
        const auto next
            = store->append({ msg(QStringLiteral("general"), QStringLiteral("ok")) }, &error);
        QVERIFY2(next, qPrintable(error));
        QVERIFY(next->constFirst().message.id > before.constLast());
    }

    void failureInsideABatchRollsBackTheWholeBatch()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        fill(*store, QStringLiteral("general"), 1);
        {
            // A trigger that fails the third insert stands in for a disk error mid-transaction.
            RawConnection raw(dbPath());
            QVERIFY(raw.exec(QStringLiteral(
                "CREATE TRIGGER fail_on_boom BEFORE INSERT ON messages"
                " WHEN NEW.body = 'boom' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")));
        }
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store->append(
            { msg(QStringLiteral("general"), QStringLiteral("a")),
              msg(QStringLiteral("general"), QStringLiteral("b"), QStringLiteral("client-0007")),
              msg(QStringLiteral("general"), QStringLiteral("boom")) },
            &error));
        QVERIFY2(error.contains(QStringLiteral("disk on fire")), qPrintable(error));
        QCOMPARE(store->latest(QStringLiteral("general"), 50, &error)->messages.size(), 1);

        // the client_id of the rolled-back batch was not taken
        const auto retry = store->append(
            { msg(QStringLiteral("general"), QStringLiteral("b"), QStringLiteral("client-0007")) },
            &error);
        QVERIFY2(retry, qPrintable(error));
        QVERIFY(!retry->constFirst().duplicate);
    }

    void failedCommitIsAnErrorAndRollsBack()
    {
        auto store = openStore();
        QVERIFY(store);
        QString error;
        fill(*store, QStringLiteral("general"), 1);
        {
            // A deferred foreign key is checked only at COMMIT, so COMMIT itself fails and
            // leaves the transaction open: the store has to roll back and say so.
            RawConnection raw(dbPath());
            QVERIFY(
                raw.exec(QStringLiteral("ALTER TABLE messages ADD COLUMN probe TEXT"
                                        " REFERENCES rooms(name) DEFERRABLE INITIALLY DEFERRED")));
            QVERIFY(raw.exec(QStringLiteral(
                "CREATE TRIGGER break_commit AFTER INSERT ON messages WHEN NEW.body = 'boom'"
                " BEGIN UPDATE messages SET probe = 'no-such-room' WHERE id = NEW.id; END")));
        }
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store->append({ msg(QStringLiteral("general"), QStringLiteral("a")),
                                 msg(QStringLiteral("general"), QStringLiteral("boom")) },
                               &error));
        QVERIFY2(error.contains(QStringLiteral("commit")), qPrintable(error));
        QCOMPARE(store->latest(QStringLiteral("general"), 50, &error)->messages.size(), 1);

        // the transaction is closed: the next append commits normally
        const auto next
            = store->append({ msg(QStringLiteral("general"), QStringLiteral("ok")) }, &error);
        QVERIFY2(next, qPrintable(error));
        QCOMPARE(store->latest(QStringLiteral("general"), 50, &error)->messages.size(), 2);
    }

    void droppedTableIsAnErrorNotACrash()
    {
        auto store = openStore();
        QVERIFY(store);
        fill(*store, QStringLiteral("general"), 1);
        {
            RawConnection raw(dbPath());
            QVERIFY(raw.exec(QStringLiteral("DROP TABLE messages")));
        }
        QString error;
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store->append(
            { msg(QStringLiteral("general"), QStringLiteral("x"), QStringLiteral("client-0008")) },
            &error));
        QVERIFY(!error.isEmpty());
        error.clear();
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store->latest(QStringLiteral("general"), 50, &error));
        QVERIFY(!error.isEmpty());
        error.clear();
        QTest::ignoreMessage(QtWarningMsg, kStoreWarning);
        QVERIFY(!store->message(1, &error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSqliteHistoryDurability)
#include "tst_sqlitehistorydurability.moc"
