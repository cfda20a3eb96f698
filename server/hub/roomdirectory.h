#pragma once

#include "hub/historystore.h"

#include <QJsonObject>
#include <QMap>
#include <QSet>
#include <QThreadPool>

#include <functional>
#include <optional>

namespace Parley::Hub {

// The hub's rooms (not dms), cached from the store: lookup, creation with a hashed password,
// who made how many, and password checks off the hub thread. Owned by the Hub; used on the hub
// thread only (its pool thread runs PBKDF2 and nothing else).
class RoomDirectory
{
public:
    explicit RoomDirectory(HistoryStore *store);
    ~RoomDirectory(); // waits for the password work under way, if any

    // Loads the rooms; creates `general` in a new hub.
    bool load(QString *error);
    const RoomRecord *find(const QString &name) const;
    QList<RoomRecord> rooms() const { return m_rooms.values(); }
    int count() const { return int(m_rooms.size()); }
    // Stores a new room at once (hashing its password on this thread: for general, and tests).
    std::optional<RoomRecord> create(const QString &name, const QString &title,
                                     const QString &password, const QString &owner, QString *error);
    // The same, with the password hashed on the directory's thread (PBKDF2 takes tens of ms:
    // the hub thread never waits for it); the room is stored and done() called on `context`'s
    // thread, with the room or nullopt and the error. From the call on, the name counts as
    // taken (isTaken()) and the room as one of the hub's (countWithPending()) and the owner's.
    using Created
        = std::function<void(const std::optional<RoomRecord> &room, const QString &error)>;
    void createLater(const QString &name, const QString &title, const QString &password,
                     const QString &owner, QObject *context, Created done);
    bool isTaken(const QString &name) const
    {
        return m_rooms.contains(name) || m_creating.contains(name);
    }
    int countWithPending() const { return int(m_rooms.size() + m_creating.size()); }
    // Rooms `userId` created that exist (or are being made), and those created since `sinceMs`
    // (Unix ms), from the stored creation times, so a restart forgets nothing.
    int ownedBy(const QString &userId) const;
    // When each room `userId` made since `sinceMs` was created (Unix ms; "now" for those
    // still being made), oldest first.
    QList<qint64> createdBy(const QString &userId, qint64 sinceMs) const;

    // True if `password` is known to open `room` (verified before); cheap. The full PBKDF2
    // check is verifyPassword(), which the hub runs off its thread.
    bool isKnownPassword(const RoomRecord &room, const QString &password) const;
    void rememberPassword(const RoomRecord &room, const QString &password);
    static bool verifyPassword(const RoomRecord &room, const QString &password);
    // Runs verifyPassword() on the directory's own thread, then, on `context`'s thread,
    // remembers a right password and calls done(). Nothing is called if `context` is gone by
    // then. The caller bounds how many are under way (checksUnderWay()).
    void verifyPasswordLater(const RoomRecord &room, const QString &password, QObject *context,
                             std::function<void()> done);
    int checksUnderWay() const { return m_checksUnderWay; }

private:
    static QByteArray cacheKey(const RoomRecord &room, const QString &password);
    bool store(RoomRecord room, const QString &password, QString *error);

    HistoryStore *m_store;
    QMap<QString, RoomRecord> m_rooms;
    QMap<QString, QString> m_creating; // name -> owner, while its password is hashed
    QSet<QByteArray> m_knownPasswords; // SHA-256 of room, salt and password; memory only
    int m_checksUnderWay = 0;
    QThreadPool m_passwordPool; // one thread: password checks queue, the hub never waits
    // One thread for the hashes of new rooms' passwords: a burst of locked rooms never holds
    // back anyone's check (a right password waits for a few checks at most).
    QThreadPool m_creationPool;
};

} // namespace Parley::Hub
