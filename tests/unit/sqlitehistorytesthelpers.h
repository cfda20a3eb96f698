// Shared by the SqliteHistoryStore tests: a raw second connection to the database file, message
// builders, and a fixture that opens stores in a fresh temporary directory per test.
#pragma once

#include "hub/sqlitehistorystore.h"

#include <QDebug>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUuid>

#include <memory>

namespace HistoryStoreTest {

using namespace Parley::Hub;

inline const QRegularExpression kStoreWarning(QStringLiteral("^history store: "));

// A second, independent connection to the same file: what another process would see.
class RawConnection
{
public:
    explicit RawConnection(const QString &path)
        : m_name(QStringLiteral("raw-") + QUuid::createUuid().toString(QUuid::WithoutBraces))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawConnection()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }
    // First column of the first row, or an invalid QVariant on error.
    QVariant scalar(const QString &sql) const
    {
        QSqlQuery query(db());
        if (!query.exec(sql) || !query.next())
            return {};
        return query.value(0);
    }
    bool exec(const QString &sql) const
    {
        QSqlQuery query(db());
        const bool ok = query.exec(sql);
        if (!ok)
            qWarning() << sql << query.lastError().text();
        return ok;
    }

private:
    QString m_name;
};

inline NewMessage msg(const QString &room, const QString &body, const QString &clientId = {},
                      const QString &userId = QStringLiteral("u-ana"))
{
    return NewMessage { room, userId, QStringLiteral("ana"), body, clientId, 1764107001000 };
}

inline QList<qint64> idsOf(const QList<StoredMessage> &messages)
{
    QList<qint64> ids;
    for (const StoredMessage &m : messages)
        ids.append(m.id);
    return ids;
}

inline QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> ids;
    for (qint64 id = first; id <= last; ++id)
        ids.append(id);
    return ids;
}

// Mixed into each test class (after QObject); the class's init()/cleanup() manage m_dir.
class HistoryStoreFixture
{
protected:
    QString dbPath() const { return m_dir->filePath(QStringLiteral("hub.db")); }
    std::unique_ptr<SqliteHistoryStore> openStore(const QString &path)
    {
        auto store = std::make_unique<SqliteHistoryStore>(path);
        QString error;
        if (!store->open(&error)) {
            qWarning() << "open failed:" << error;
            return nullptr;
        }
        return store;
    }
    std::unique_ptr<SqliteHistoryStore> openStore() { return openStore(dbPath()); }
    // Appends `count` messages to `room`, one per call; returns their ids.
    QList<qint64> fill(SqliteHistoryStore &store, const QString &room, int count)
    {
        QList<qint64> ids;
        for (int i = 0; i < count; ++i) {
            QString error;
            const auto result = store.append({ msg(room, QStringLiteral("m%1").arg(i)) }, &error);
            if (!result || result->size() != 1)
                return {};
            ids.append(result->constFirst().message.id);
        }
        return ids;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

} // namespace HistoryStoreTest
