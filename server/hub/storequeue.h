#pragma once

#include <QObject>
#include <QString>

#include <functional>
#include <memory>

class QThread;

namespace Parley::Hub {

class HistoryStore;
class SqliteHistoryStore;

// The hub's writes to the message store (new messages, edits, deletes), off the hub thread: a
// commit waits for the disk (fsync), and the hub loop must not. Each job runs against the store
// thread's own HistoryStore (a second SQLite connection on the same file, WAL), one at a time in
// submission order; what it returns runs back on the hub thread, in the same order. So a message
// is acked only after its commit, and replies and broadcasts keep commit order.
//
// For a store in memory (ephemeral hubs, tests) there is no disk to wait for: jobs run at once
// on the calling thread, against that store, and so do their completions.
//
// Owned by the Hub; submit() on the hub thread only. The destructor waits for the jobs already
// submitted to finish (their completions are dropped: those messages are stored, not acked, and
// a client's retry with the same client_id gets the original).
class StoreQueue : public QObject
{
    Q_OBJECT
public:
    // What runs on the hub thread once a job is done.
    using Completion = std::function<void()>;
    // A job: runs on the store thread, returns its completion.
    using Job = std::function<Completion(HistoryStore &store)>;

    // Jobs run inline against `store`.
    explicit StoreQueue(HistoryStore &store, QObject *parent = nullptr);
    // Jobs run on a store thread against a SqliteHistoryStore on `path`, opened there by start().
    explicit StoreQueue(const QString &path, QObject *parent = nullptr);
    ~StoreQueue() override;

    // Starts the store thread and opens its store (nothing to do inline). False with *error.
    bool start(QString *error);
    void submit(Job job);
    // Jobs submitted and not completed yet.
    int pending() const { return m_pending; }

private:
    class Worker;

    HistoryStore *m_inlineStore = nullptr;
    QString m_path;
    QThread *m_thread = nullptr;
    Worker *m_worker = nullptr; // lives on m_thread
    int m_pending = 0;
};

} // namespace Parley::Hub
