#pragma once

#include "hub/historystore.h"

#include <QHash>
#include <QMap>

namespace Parley::Hub {

// HistoryStore kept in memory: for hubs started without a data directory and for tests.
// Same semantics as the SQLite store; nothing survives the process. Hub thread only.
class MemoryHistoryStore : public HistoryStore
{
public:
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
    QMap<QString, RoomRecord> m_rooms;
    QMap<qint64, StoredMessage> m_messages; // id -> message, all rooms
    QHash<QString, QList<qint64>> m_roomIds; // room -> ids, ascending
    QHash<QString, qint64> m_byClientId; // user_id + '\n' + client_id -> id
    QHash<QString, QString> m_meta;
    qint64 m_nextId = 1;
};

} // namespace Parley::Hub
