#include "hub/sqlitehistorystore.h"

#include "hub/logging.h"
#include "protocol/privatefiles.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QUuid>
#include <QVariant>

#include <algorithm>

namespace Parley::Hub {

namespace {

struct Migration
{
    int version;
    QStringList statements;
};

// Append only: a released migration is never edited, a schema change is a new step.
const QList<Migration> &migrations()
{
    static const QList<Migration> steps {
        { 1,
          {
              QStringLiteral("CREATE TABLE meta ("
                             " key TEXT PRIMARY KEY NOT NULL,"
                             " value TEXT NOT NULL)"),
              QStringLiteral("CREATE TABLE rooms ("
                             " name TEXT PRIMARY KEY NOT NULL,"
                             " title TEXT NOT NULL DEFAULT '',"
                             " password_hash BLOB,"
                             " password_salt BLOB,"
                             " created_ts INTEGER NOT NULL)"),
              // AUTOINCREMENT: a plain rowid would hand out the id of a deleted newest row
              // again, and clients dedupe and resume (after_id) by id.
              QStringLiteral("CREATE TABLE messages ("
                             " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                             " room TEXT NOT NULL,"
                             " user_id TEXT NOT NULL,"
                             " nick TEXT NOT NULL,"
                             " body TEXT NOT NULL,"
                             " ts INTEGER NOT NULL,"
                             " client_id TEXT,"
                             " edited_ts INTEGER,"
                             " deleted INTEGER NOT NULL DEFAULT 0)"),
              QStringLiteral("CREATE UNIQUE INDEX messages_user_client"
                             " ON messages(user_id, client_id) WHERE client_id IS NOT NULL"),
              QStringLiteral("CREATE INDEX messages_room_id ON messages(room, id)"),
          } },
        // Who made each room: rooms per user are limited (docs/protocol.md, "Limits").
        { 2, { QStringLiteral("ALTER TABLE rooms ADD COLUMN owner TEXT NOT NULL DEFAULT ''") } },
    };
    return steps;
}

constexpr auto kMessageColumns = "id, room, user_id, nick, body, ts, client_id, edited_ts, deleted";

QVariant nullableText(const QString &text)
{
    // Qt 6: a QVariant holding a null QString is not null, and would bind as ''.
    return text.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

// QSqlResult binds a null QString as NULL; NOT NULL text columns get '' instead.
QString notNull(const QString &text)
{
    return text.isNull() ? QStringLiteral("") : text;
}

QVariant nullableBlob(const QByteArray &bytes)
{
    return bytes.isEmpty() ? QVariant(QMetaType::fromType<QByteArray>()) : QVariant(bytes);
}

StoredMessage readMessage(const QSqlQuery &query)
{
    StoredMessage message;
    message.id = query.value(0).toLongLong();
    message.room = query.value(1).toString();
    message.userId = query.value(2).toString();
    message.nick = query.value(3).toString();
    message.body = query.value(4).toString();
    message.ts = query.value(5).toLongLong();
    message.clientId = query.value(6).toString();
    if (const QVariant edited = query.value(7); !edited.isNull())
        message.editedTs = edited.toLongLong();
    message.deleted = query.value(8).toLongLong() != 0;
    return message;
}

bool setError(QString *error, const QString &text)
{
    qCWarning(lcHub).noquote() << "history store:" << text;
    if (error)
        *error = text;
    return false;
}

QString describe(const char *what, const QSqlError &sqlError)
{
    return QStringLiteral("%1: %2").arg(QLatin1String(what), sqlError.text());
}

bool checkLimit(int limit, QString *error)
{
    if (limit >= 1)
        return true;
    return setError(error, QStringLiteral("invalid history limit %1").arg(limit));
}

bool narrowSidecars(const QString &path, QString *error)
{
    QString why;
    for (const char *suffix : { "-wal", "-shm" }) {
        if (!Protocol::PrivateFiles::narrowIfExists(path + QLatin1String(suffix), &why))
            return setError(error, why);
    }
    return true;
}

} // namespace

// The hot-path statements, prepared once per connection.
struct SqliteHistoryStore::Statements
{
    explicit Statements(const QSqlDatabase &db)
        : findByClientId(db)
        , insertMessage(db)
        , selectById(db)
        , latest(db)
        , after(db)
        , before(db)
        , lastId(db)
        , edit(db)
        , markDeleted(db)
        , getMeta(db)
        , setMeta(db)
    {
    }

    QSqlQuery findByClientId;
    QSqlQuery insertMessage;
    QSqlQuery selectById;
    QSqlQuery latest;
    QSqlQuery after;
    QSqlQuery before;
    QSqlQuery lastId;
    QSqlQuery edit;
    QSqlQuery markDeleted;
    QSqlQuery getMeta;
    QSqlQuery setMeta;
};

SqliteHistoryStore::SqliteHistoryStore(const QString &path)
    : m_path(path)
    , m_connectionName(QStringLiteral("parley-history-")
                       + QUuid::createUuid().toString(QUuid::WithoutBraces))
{
}

SqliteHistoryStore::~SqliteHistoryStore()
{
    m_statements.reset();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase(); // removeDatabase() wants no handle left alive
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

int SqliteHistoryStore::latestSchemaVersion()
{
    return migrations().constLast().version;
}

bool SqliteHistoryStore::isOpen() const
{
    return m_statements != nullptr;
}

bool SqliteHistoryStore::open(QString *error)
{
    if (m_db.isValid())
        return setError(error, QStringLiteral("%1 was already opened").arg(m_path));
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return setError(error, QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"));

    // DMs and password hashes: owner only. SQLite gives -wal and -shm the database's mode when
    // it makes them; older ones are narrowed once WAL mode has opened them.
    QString why;
    if (m_path != QLatin1String(":memory:") && !Protocol::PrivateFiles::ensureFile(m_path, &why))
        return setError(error, why);
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(m_path);
    if (!m_db.open())
        return setError(error,
                        QStringLiteral("cannot open %1: %2").arg(m_path, m_db.lastError().text()));

    if (!configure(error) || !narrowSidecars(m_path, error) || !migrate(error)
        || !prepareStatements(error)) {
        m_statements.reset();
        m_db.close();
        return false;
    }
    qCDebug(lcHub).noquote() << "history store open:" << m_path;
    return true;
}

bool SqliteHistoryStore::configure(QString *error)
{
    // busy_timeout first: switching to WAL needs a lock another process may hold.
    if (!execSql(QStringLiteral("PRAGMA busy_timeout = %1").arg(m_busyTimeoutMs), "busy_timeout",
                 error))
        return false;

    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("PRAGMA journal_mode = WAL")) || !query.next())
        return setError(error,
                        QStringLiteral("cannot open %1: %2").arg(m_path, query.lastError().text()));
    const QString mode = query.value(0).toString().toLower();
    query.finish();
    // "memory" is what an in-memory database (":memory:") reports; it has no file to lose.
    if (mode != QLatin1String("wal") && mode != QLatin1String("memory"))
        return setError(
            error,
            QStringLiteral("cannot switch %1 to WAL (journal_mode is %2)").arg(m_path, mode));

    // FULL in WAL mode fsyncs the log at every commit: an acked message survives power loss.
    return execSql(QStringLiteral("PRAGMA synchronous = FULL"), "synchronous", error)
        && execSql(QStringLiteral("PRAGMA foreign_keys = ON"), "foreign_keys", error);
}

bool SqliteHistoryStore::migrate(QString *error)
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return setError(error, describe("read user_version", query.lastError()));
    const int current = query.value(0).toInt();
    query.finish();

    if (current > latestSchemaVersion())
        return setError(error,
                        QStringLiteral("%1 has schema version %2, newer than this hub's %3")
                            .arg(m_path)
                            .arg(current)
                            .arg(latestSchemaVersion()));

    for (const Migration &step : migrations()) {
        if (step.version <= current)
            continue;
        if (!begin(error))
            return false;
        bool ok = true;
        for (const QString &sql : step.statements) {
            if (!execSql(sql, "migration", error)) {
                ok = false;
                break;
            }
        }
        // user_version is in the database header, so it commits (or not) with the step.
        ok = ok
            && execSql(QStringLiteral("PRAGMA user_version = %1").arg(step.version),
                       "set user_version", error);
        if (!ok) {
            rollback();
            return false;
        }
        if (!commit(error))
            return false;
        qCInfo(lcHub).noquote() << "history store" << m_path << "migrated to schema version"
                                << step.version;
    }
    return true;
}

bool SqliteHistoryStore::prepareStatements(QString *error)
{
    auto statements = std::make_unique<Statements>(m_db);
    const QString columns = QLatin1String(kMessageColumns);
    const struct
    {
        QSqlQuery &query;
        QString sql;
    } all[] = {
        { statements->findByClientId,
          QStringLiteral("SELECT %1 FROM messages WHERE user_id = ? AND client_id = ?")
              .arg(columns) },
        { statements->insertMessage,
          QStringLiteral("INSERT INTO messages (room, user_id, nick, body, ts, client_id)"
                         " VALUES (?, ?, ?, ?, ?, ?)") },
        { statements->selectById,
          QStringLiteral("SELECT %1 FROM messages WHERE id = ?").arg(columns) },
        { statements->latest,
          QStringLiteral("SELECT %1 FROM messages WHERE room = ? ORDER BY id DESC LIMIT ?")
              .arg(columns) },
        { statements->after,
          QStringLiteral("SELECT %1 FROM messages WHERE room = ? AND id > ? ORDER BY id ASC"
                         " LIMIT ?")
              .arg(columns) },
        { statements->before,
          QStringLiteral("SELECT %1 FROM messages WHERE room = ? AND id < ? ORDER BY id DESC"
                         " LIMIT ?")
              .arg(columns) },
        { statements->lastId,
          QStringLiteral("SELECT id FROM messages WHERE room = ? ORDER BY id DESC LIMIT 1") },
        // A deleted message stays deleted: editing it is "not found".
        { statements->edit,
          QStringLiteral("UPDATE messages SET body = ?, edited_ts = ?"
                         " WHERE id = ? AND deleted = 0") },
        // The first deletion's time is kept as edited_ts; deleting again changes nothing.
        { statements->markDeleted,
          QStringLiteral("UPDATE messages SET body = '', deleted = 1,"
                         " edited_ts = CASE WHEN deleted THEN edited_ts ELSE ? END"
                         " WHERE id = ?") },
        { statements->getMeta, QStringLiteral("SELECT value FROM meta WHERE key = ?") },
        { statements->setMeta,
          QStringLiteral("INSERT INTO meta (key, value) VALUES (?, ?)"
                         " ON CONFLICT(key) DO UPDATE SET value = excluded.value") },
    };
    for (const auto &entry : all) {
        entry.query.setForwardOnly(true);
        if (!entry.query.prepare(entry.sql))
            return setError(error,
                            QStringLiteral("prepare \"%1\": %2")
                                .arg(entry.sql, entry.query.lastError().text()));
    }
    m_statements = std::move(statements);
    return true;
}

bool SqliteHistoryStore::checkOpen(QString *error) const
{
    if (m_statements)
        return true;
    return setError(error, QStringLiteral("history store %1 is not open").arg(m_path));
}

bool SqliteHistoryStore::exec(QSqlQuery &query, const char *what, QString *error)
{
    if (query.exec())
        return true;
    const QString text = describe(what, query.lastError());
    query.finish();
    return setError(error, text);
}

bool SqliteHistoryStore::execSql(const QString &sql, const char *what, QString *error)
{
    QSqlQuery query(m_db);
    if (query.exec(sql))
        return true;
    return setError(error, describe(what, query.lastError()));
}

bool SqliteHistoryStore::begin(QString *error)
{
    // IMMEDIATE takes the write lock now, so a busy database fails here and not halfway through.
    return execSql(QStringLiteral("BEGIN IMMEDIATE"), "begin transaction", error);
}

bool SqliteHistoryStore::commit(QString *error)
{
    QSqlQuery query(m_db);
    if (query.exec(QStringLiteral("COMMIT")))
        return true;
    const QString text = describe("commit", query.lastError());
    // A failed COMMIT may leave the transaction open (SQLITE_BUSY); nothing of it counts.
    rollback();
    return setError(error, text);
}

void SqliteHistoryStore::rollback()
{
    QSqlQuery query(m_db);
    // Fails harmlessly when SQLite already rolled back by itself (e.g. after an I/O error).
    if (!query.exec(QStringLiteral("ROLLBACK")))
        qCDebug(lcHub) << "history store: rollback:" << query.lastError().text();
}

std::optional<QList<RoomRecord>> SqliteHistoryStore::rooms(QString *error)
{
    if (!checkOpen(error))
        return std::nullopt;
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT name, title, password_hash, password_salt, created_ts,"
                                   " owner FROM rooms ORDER BY name"))) {
        setError(error, describe("list rooms", query.lastError()));
        return std::nullopt;
    }
    QList<RoomRecord> result;
    while (query.next()) {
        result.append(RoomRecord { query.value(0).toString(), query.value(1).toString(),
                                   query.value(2).toByteArray(), query.value(3).toByteArray(),
                                   query.value(4).toLongLong(), query.value(5).toString() });
    }
    if (query.lastError().isValid()) {
        setError(error, describe("list rooms", query.lastError()));
        return std::nullopt;
    }
    return result;
}

bool SqliteHistoryStore::createRoom(const RoomRecord &room, QString *error)
{
    if (!checkOpen(error))
        return false;
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT INTO rooms (name, title, password_hash, password_salt,"
                                 " created_ts, owner) VALUES (?, ?, ?, ?, ?, ?)"
                                 " ON CONFLICT(name) DO NOTHING"));
    query.addBindValue(notNull(room.name));
    query.addBindValue(notNull(room.title));
    query.addBindValue(nullableBlob(room.passwordHash));
    query.addBindValue(nullableBlob(room.passwordSalt));
    query.addBindValue(room.createdTs);
    query.addBindValue(notNull(room.owner));
    if (!exec(query, "create room", error))
        return false;
    if (query.numRowsAffected() == 0)
        return setError(error, QStringLiteral("room %1 already exists").arg(room.name));
    return true;
}

std::optional<QList<AppendResult>> SqliteHistoryStore::append(const QList<NewMessage> &messages,
                                                              QString *error)
{
    if (!checkOpen(error))
        return std::nullopt;
    if (messages.isEmpty())
        return QList<AppendResult> {};
    if (!begin(error))
        return std::nullopt;

    QSqlQuery &find = m_statements->findByClientId;
    QSqlQuery &insert = m_statements->insertMessage;
    QList<AppendResult> results;
    results.reserve(messages.size());
    for (const NewMessage &message : messages) {
        if (!message.clientId.isEmpty()) {
            // Looked up inside the transaction, so a repeat within this batch is found too.
            find.bindValue(0, message.userId);
            find.bindValue(1, message.clientId);
            if (!exec(find, "look up client_id", error)) {
                rollback();
                return std::nullopt;
            }
            const bool found = find.next();
            const QSqlError stepError = find.lastError();
            std::optional<StoredMessage> original;
            if (found)
                original = readMessage(find);
            find.finish(); // an unfinished SELECT would make COMMIT fail
            if (stepError.isValid()) {
                setError(error, describe("look up client_id", stepError));
                rollback();
                return std::nullopt;
            }
            if (original) {
                results.append(AppendResult { *original, true });
                continue;
            }
        }

        insert.bindValue(0, notNull(message.room));
        insert.bindValue(1, notNull(message.userId));
        insert.bindValue(2, notNull(message.nick));
        insert.bindValue(3, notNull(message.body));
        insert.bindValue(4, message.ts);
        insert.bindValue(5, nullableText(message.clientId));
        if (!exec(insert, "insert message", error)) {
            rollback();
            return std::nullopt;
        }
        const qint64 id = insert.lastInsertId().toLongLong();
        insert.finish();
        if (id <= 0) {
            setError(error, QStringLiteral("insert message: no row id"));
            rollback();
            return std::nullopt;
        }
        StoredMessage stored;
        stored.id = id;
        stored.room = message.room;
        stored.userId = message.userId;
        stored.nick = message.nick;
        stored.body = message.body;
        stored.ts = message.ts;
        stored.clientId = message.clientId;
        results.append(AppendResult { stored, false });
    }

    if (!commit(error))
        return std::nullopt;
    return results;
}

std::optional<HistoryPage> SqliteHistoryStore::page(QSqlQuery &query, int limit, bool newestFirst,
                                                    QString *error)
{
    if (!exec(query, "read history", error))
        return std::nullopt;
    HistoryPage result;
    while (query.next())
        result.messages.append(readMessage(query));
    const QSqlError stepError = query.lastError();
    query.finish();
    if (stepError.isValid()) {
        setError(error, describe("read history", stepError));
        return std::nullopt;
    }
    // The query asked for limit + 1 rows: the extra one only says that more exist.
    if (result.messages.size() > limit) {
        result.hasMore = true;
        result.messages.removeLast();
    }
    if (newestFirst)
        std::reverse(result.messages.begin(), result.messages.end());
    return result;
}

std::optional<HistoryPage> SqliteHistoryStore::latest(const QString &room, int limit,
                                                      QString *error)
{
    if (!checkOpen(error) || !checkLimit(limit, error))
        return std::nullopt;
    QSqlQuery &query = m_statements->latest;
    query.bindValue(0, room);
    query.bindValue(1, qint64(limit) + 1);
    return page(query, limit, true, error);
}

std::optional<HistoryPage> SqliteHistoryStore::after(const QString &room, qint64 afterId, int limit,
                                                     QString *error)
{
    if (!checkOpen(error) || !checkLimit(limit, error))
        return std::nullopt;
    QSqlQuery &query = m_statements->after;
    query.bindValue(0, room);
    query.bindValue(1, afterId);
    query.bindValue(2, qint64(limit) + 1);
    return page(query, limit, false, error);
}

std::optional<HistoryPage> SqliteHistoryStore::before(const QString &room, qint64 beforeId,
                                                      int limit, QString *error)
{
    if (!checkOpen(error) || !checkLimit(limit, error))
        return std::nullopt;
    QSqlQuery &query = m_statements->before;
    query.bindValue(0, room);
    query.bindValue(1, beforeId);
    query.bindValue(2, qint64(limit) + 1);
    return page(query, limit, true, error);
}

std::optional<StoredMessage> SqliteHistoryStore::messageById(qint64 id, QString *error)
{
    QSqlQuery &query = m_statements->selectById;
    query.bindValue(0, id);
    if (!exec(query, "read message", error))
        return std::nullopt;
    std::optional<StoredMessage> result;
    if (query.next())
        result = readMessage(query);
    const QSqlError stepError = query.lastError();
    query.finish();
    if (stepError.isValid()) {
        setError(error, describe("read message", stepError));
        return std::nullopt;
    }
    if (!result && error)
        error->clear(); // not found is not a failure
    return result;
}

std::optional<StoredMessage> SqliteHistoryStore::message(qint64 id, QString *error)
{
    if (!checkOpen(error))
        return std::nullopt;
    return messageById(id, error);
}

std::optional<StoredMessage> SqliteHistoryStore::edit(qint64 id, const QString &body,
                                                      qint64 editedTs, QString *error)
{
    if (!checkOpen(error))
        return std::nullopt;
    QSqlQuery &query = m_statements->edit;
    query.bindValue(0, notNull(body));
    query.bindValue(1, editedTs);
    query.bindValue(2, id);
    if (!exec(query, "edit message", error))
        return std::nullopt;
    const int changed = query.numRowsAffected();
    query.finish();
    if (changed == 0) {
        if (error)
            error->clear();
        return std::nullopt;
    }
    return messageById(id, error);
}

std::optional<StoredMessage> SqliteHistoryStore::markDeleted(qint64 id, qint64 ts, QString *error)
{
    if (!checkOpen(error))
        return std::nullopt;
    QSqlQuery &query = m_statements->markDeleted;
    query.bindValue(0, ts);
    query.bindValue(1, id);
    if (!exec(query, "delete message", error))
        return std::nullopt;
    const int changed = query.numRowsAffected();
    query.finish();
    if (changed == 0) {
        if (error)
            error->clear();
        return std::nullopt;
    }
    return messageById(id, error);
}

qint64 SqliteHistoryStore::lastId(const QString &room)
{
    if (!checkOpen(nullptr))
        return 0;
    QSqlQuery &query = m_statements->lastId;
    query.bindValue(0, room);
    if (!exec(query, "last id", nullptr))
        return 0;
    const qint64 id = query.next() ? query.value(0).toLongLong() : 0;
    if (query.lastError().isValid())
        setError(nullptr, describe("last id", query.lastError()));
    query.finish();
    return id;
}

qint64 SqliteHistoryStore::maxId()
{
    if (!checkOpen(nullptr))
        return 0;
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM messages")) || !query.next())
        return 0;
    return query.value(0).toLongLong();
}

QString SqliteHistoryStore::meta(const QString &key)
{
    if (!checkOpen(nullptr))
        return {};
    QSqlQuery &query = m_statements->getMeta;
    query.bindValue(0, key);
    if (!exec(query, "read meta", nullptr))
        return {};
    const QString value = query.next() ? query.value(0).toString() : QString();
    if (query.lastError().isValid())
        setError(nullptr, describe("read meta", query.lastError()));
    query.finish();
    return value;
}

bool SqliteHistoryStore::setMeta(const QString &key, const QString &value, QString *error)
{
    if (!checkOpen(error))
        return false;
    QSqlQuery &query = m_statements->setMeta;
    query.bindValue(0, notNull(key));
    query.bindValue(1, notNull(value));
    const bool ok = exec(query, "write meta", error);
    query.finish();
    return ok;
}

} // namespace Parley::Hub
