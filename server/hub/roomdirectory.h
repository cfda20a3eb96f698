#pragma once

#include "hub/historystore.h"

#include <QJsonObject>
#include <QMap>

namespace Parley::Hub {

// The hub's rooms (not dms), cached from the store: lookup, creation with a hashed password,
// and the JSON the lobby shows. Owned by the Hub; hub thread only.
class RoomDirectory
{
public:
    explicit RoomDirectory(HistoryStore *store) : m_store(store) { }

    // Loads the rooms; creates `general` in a new hub.
    bool load(QString *error);
    const RoomRecord *find(const QString &name) const;
    QList<RoomRecord> rooms() const { return m_rooms.values(); }
    int count() const { return int(m_rooms.size()); }
    // Stores a new room. The password, if any, is kept only as a salted hash.
    std::optional<RoomRecord> create(const QString &name, const QString &title,
                                     const QString &password, QString *error);
    bool checkPassword(const RoomRecord &room, const QString &password) const;

private:
    HistoryStore *m_store;
    QMap<QString, RoomRecord> m_rooms;
};

} // namespace Parley::Hub
