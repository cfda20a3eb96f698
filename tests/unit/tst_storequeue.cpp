// StoreQueue: the hub's message writes commit on a store thread of their own, in submission
// order, with completions back on the hub thread in the same order; the hub thread goes on
// while a commit is under way; the destructor lets submitted writes finish.

#include "hub/memoryhistorystore.h"
#include "hub/storequeue.h"
#include "sqlitehistorytesthelpers.h"

#include <QSemaphore>
#include <QTest>
#include <QThread>

#include <atomic>

using namespace Parley::Hub;
using namespace HistoryStoreTest;

class TestStoreQueue : public QObject, public HistoryStoreFixture
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        QVERIFY(openStore()); // creates and migrates the file, as the hub does first
    }
    void cleanup() { m_dir.reset(); }

    void jobsRunOnTheStoreThreadAndCompleteInOrderOnThisOne()
    {
        StoreQueue queue(dbPath());
        QString error;
        QVERIFY2(queue.start(&error), qPrintable(error));
        QThread *const here = QThread::currentThread();
        QList<qint64> completed;
        std::atomic<int> offThread { 0 };
        for (int i = 0; i < 20; ++i) {
            queue.submit([&, i](HistoryStore &store) -> StoreQueue::Completion {
                if (QThread::currentThread() != here)
                    ++offThread;
                const auto results = store.append(
                    { msg(QStringLiteral("general"), QStringLiteral("m%1").arg(i)) }, nullptr);
                const qint64 id = results ? results->constFirst().message.id : -1;
                return [&completed, here, id] {
                    QCOMPARE(QThread::currentThread(), here);
                    completed.append(id);
                };
            });
        }
        QCOMPARE(queue.pending(), 20);
        QVERIFY(completed.isEmpty()); // nothing ran on this thread yet
        QTRY_COMPARE(completed.size(), 20);
        QCOMPARE(offThread.load(), 20);
        QCOMPARE(queue.pending(), 0);
        QCOMPARE(completed, range(completed.first(), completed.first() + 19)); // commit order
        // Committed: another connection reads them.
        auto reader = openStore();
        QCOMPARE(reader->maxId(), completed.last());
    }

    void theCallerGoesOnWhileACommitWaits()
    {
        StoreQueue queue(dbPath());
        QVERIFY(queue.start(nullptr));
        QSemaphore release;
        bool done = false;
        queue.submit([&release, &done](HistoryStore &store) -> StoreQueue::Completion {
            release.acquire(); // a disk that takes its time
            store.append({ msg(QStringLiteral("general"), QStringLiteral("slow")) }, nullptr);
            return [&done] { done = true; };
        });
        // submit() returned while the job waits for this thread to release it: a queue that
        // committed on the caller's thread would never get here.
        QVERIFY(!done);
        QCOMPARE(queue.pending(), 1);
        release.release();
        QTRY_VERIFY(done);
    }

    void destructorLetsSubmittedWritesCommit()
    {
        bool completedAfterDestruction = false;
        {
            StoreQueue queue(dbPath());
            QVERIFY(queue.start(nullptr));
            for (int i = 0; i < 5; ++i) {
                queue.submit(
                    [i, &completedAfterDestruction](HistoryStore &store) -> StoreQueue::Completion {
                        store.append(
                            { msg(QStringLiteral("general"), QStringLiteral("late%1").arg(i)) },
                            nullptr);
                        return [&completedAfterDestruction] { completedAfterDestruction = true; };
                    });
            }
        } // no event loop ran: every completion is dropped, every write committed
        QCoreApplication::processEvents();
        QVERIFY(!completedAfterDestruction);
        auto reader = openStore();
        QString error;
        const auto page = reader->latest(QStringLiteral("general"), 10, &error);
        QVERIFY(page);
        QCOMPARE(page->messages.size(), 5);
        QCOMPARE(page->messages.last().body, QStringLiteral("late4"));
    }

    void inMemoryJobsRunAtOnce()
    {
        MemoryHistoryStore store;
        StoreQueue queue(store);
        QVERIFY(queue.start(nullptr));
        bool done = false;
        queue.submit([&done](HistoryStore &s) -> StoreQueue::Completion {
            s.append({ msg(QStringLiteral("general"), QStringLiteral("now")) }, nullptr);
            return [&done] { done = true; };
        });
        QVERIFY(done);
        QCOMPARE(store.maxId(), 1);
    }

    void startFailsOnAnUnopenableFile()
    {
        StoreQueue queue(m_dir->filePath(QStringLiteral("missing/dir/hub.db")));
        QString error;
        QVERIFY(!queue.start(&error));
        QVERIFY(!error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStoreQueue)
#include "tst_storequeue.moc"
