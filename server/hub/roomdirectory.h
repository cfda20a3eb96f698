#pragma once

#include "hub/historystore.h"

#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QThreadPool>

#include <functional>

namespace Parley::Hub {

// The hub's rooms (not dms), cached from the store: lookup, creation with a hashed password,
// and password checks off the hub thread. Owned by the Hub; used on the hub thread only.
class RoomDirectory
{
public:
    explicit RoomDirectory(HistoryStore *store);
    ~RoomDirectory(); // waits for the password check under way, if any

    // Loads the rooms; creates `general` in a new hub.
    bool load(QString *error);
    const RoomRecord *find(const QString &name) const;
    QList<RoomRecord> rooms() const { return m_rooms.values(); }
    int count() const { return int(m_rooms.size()); }
    // Stores a new room. The password, if any, is kept only as a salted hash.
    std::optional<RoomRecord> create(const QString &name, const QString &title,
                                     const QString &password, QString *error);
    // True if `password` is known to open `room` (verified before); cheap. The full PBKDF2
    // check is verifyPassword(), which the hub runs off its thread.
    bool isKnownPassword(const RoomRecord &room, const QString &password) const;
    void rememberPassword(const RoomRecord &room, const QString &password);
    static bool verifyPassword(const RoomRecord &room, const QString &password);
    // Runs verifyPassword() on the directory's own thread (PBKDF2 takes tens of ms: the hub
    // thread never waits for it), then, on `context`'s thread, remembers a right password and
    // calls done(). Nothing is called if `context` is gone by then.
    void verifyPasswordLater(const RoomRecord &room, const QString &password, QObject *context,
                             std::function<void()> done);

private:
    static QByteArray cacheKey(const RoomRecord &room, const QString &password);

    HistoryStore *m_store;
    QMap<QString, RoomRecord> m_rooms;
    QSet<QByteArray> m_knownPasswords; // SHA-256 of room, salt and password; memory only
    QThreadPool m_passwordPool; // one thread: a flood of guesses queues, the hub never waits
};

} // namespace Parley::Hub
