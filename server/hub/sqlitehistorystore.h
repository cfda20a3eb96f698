#pragma once

#include "hub/historystore.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

class QSqlError;
class QSqlQuery;

namespace Parley::Hub {

// HistoryStore on one SQLite file (Qt's QSQLITE driver), the hub's durable storage.
//
// Durability: WAL journal with synchronous=FULL, so every commit is fsynced before append()
// returns; an acked message survives kill -9 and power loss. append() is one transaction per
// call, so batching several new_msg into one call is the group commit.
// Ids come from an AUTOINCREMENT key: never reused, even after the newest row is deleted.
// Schema changes are numbered migrations tracked in PRAGMA user_version; open() applies the
// missing ones, each in its own transaction, and refuses a file newer than this code.
//
// Owned by whoever runs the hub (HubRunner), used on the hub thread only: the connection and its
// prepared statements belong to the thread that called open(). Each instance has its own
// uniquely named connection, removed in the destructor, so several stores (tests) can coexist.
class SqliteHistoryStore final : public HistoryStore
{
public:
    // `path` is the database file; its directory must exist. Nothing is opened yet.
    explicit SqliteHistoryStore(const QString &path);
    ~SqliteHistoryStore() override;
    SqliteHistoryStore(const SqliteHistoryStore &) = delete;
    SqliteHistoryStore &operator=(const SqliteHistoryStore &) = delete;

    // Opens (creating if needed) and migrates the file. False with *error on any failure, e.g.
    // a directory that does not exist, a file that is not a database, or one from a newer hub.
    bool open(QString *error);
    bool isOpen() const;
    QString path() const { return m_path; }

    // How long a statement waits for another connection's lock before failing (default 5000 ms).
    // Takes effect at open().
    void setBusyTimeout(int milliseconds) { m_busyTimeoutMs = milliseconds; }

    // The user_version that open() migrates to.
    static int latestSchemaVersion();

    std::optional<QList<RoomRecord>> rooms(QString *error) override;
    bool createRoom(const RoomRecord &room, QString *error) override;

    std::optional<QList<AppendResult>> append(const QList<NewMessage> &messages,
                                              QString *error) override;

    std::optional<HistoryPage> latest(const QString &room, int limit, QString *error) override;
    std::optional<HistoryPage> after(const QString &room, qint64 afterId, int limit,
                                     QString *error) override;
    std::optional<HistoryPage> before(const QString &room, qint64 beforeId, int limit,
                                      QString *error) override;
    std::optional<StoredMessage> message(qint64 id, QString *error) override;
    std::optional<StoredMessage> edit(qint64 id, const QString &body, qint64 editedTs,
                                      QString *error) override;
    std::optional<StoredMessage> markDeleted(qint64 id, qint64 ts, QString *error) override;
    qint64 lastId(const QString &room) override;
    qint64 maxId() override;

    QString meta(const QString &key) override;
    bool setMeta(const QString &key, const QString &value, QString *error) override;

private:
    struct Statements;

    bool configure(QString *error);
    bool migrate(QString *error);
    bool prepareStatements(QString *error);
    bool checkOpen(QString *error) const;
    bool exec(QSqlQuery &query, const char *what, QString *error);
    bool execSql(const QString &sql, const char *what, QString *error);
    bool begin(QString *error);
    bool commit(QString *error);
    void rollback();
    std::optional<HistoryPage> page(QSqlQuery &query, int limit, bool newestFirst, QString *error);
    std::optional<StoredMessage> messageById(qint64 id, QString *error);

    QString m_path;
    QString m_connectionName;
    int m_busyTimeoutMs = 5000;
    QSqlDatabase m_db;
    std::unique_ptr<Statements> m_statements; // prepared on m_db; destroyed before it closes
};

} // namespace Parley::Hub
