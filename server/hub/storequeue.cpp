#include "hub/storequeue.h"

#include "hub/sqlitehistorystore.h"

#include <QThread>

namespace Parley::Hub {

// The store thread's side: its SQLite connection, made, used and closed on that thread.
class StoreQueue::Worker : public QObject
{
public:
    std::unique_ptr<SqliteHistoryStore> store;
};

StoreQueue::StoreQueue(HistoryStore &store, QObject *parent)
    : QObject(parent)
    , m_inlineStore(&store)
{
}

StoreQueue::StoreQueue(const QString &path, QObject *parent)
    : QObject(parent)
    , m_path(path)
{
}

StoreQueue::~StoreQueue()
{
    if (!m_thread)
        return;
    if (m_thread->isRunning()) {
        // Queued after every job submitted: they finish (and commit) first.
        QMetaObject::invokeMethod(
            m_worker, [worker = m_worker] { worker->store.reset(); }, Qt::BlockingQueuedConnection);
        m_thread->quit();
        m_thread->wait();
    }
    delete m_worker;
    delete m_thread;
}

bool StoreQueue::start(QString *error)
{
    if (m_inlineStore || m_thread)
        return true;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("parley-store"));
    m_worker = new Worker;
    m_worker->moveToThread(m_thread);
    m_thread->start();
    bool opened = false;
    QString openError;
    QMetaObject::invokeMethod(
        m_worker,
        [this, &opened, &openError] {
            m_worker->store = std::make_unique<SqliteHistoryStore>(m_path);
            opened = m_worker->store->open(&openError);
            if (!opened)
                m_worker->store.reset();
        },
        Qt::BlockingQueuedConnection);
    if (!opened && error)
        *error = openError;
    return opened;
}

void StoreQueue::submit(Job job)
{
    ++m_pending;
    if (m_inlineStore) {
        const Completion done = job(*m_inlineStore);
        --m_pending;
        done();
        return;
    }
    QMetaObject::invokeMethod(
        m_worker,
        [this, worker = m_worker, job = std::move(job)] {
            Completion done = job(*worker->store);
            // Back on the hub thread, in submission order (one queue, one thread).
            QMetaObject::invokeMethod(
                this,
                [this, done = std::move(done)] {
                    --m_pending;
                    done();
                },
                Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

} // namespace Parley::Hub
