#include "hub/roomdirectory.h"

#include "hub/passwordhash.h"
#include "protocol/topics.h"

#include <QCryptographicHash>
#include <QDateTime>

#include <algorithm>

namespace Parley::Hub {

RoomDirectory::RoomDirectory(HistoryStore *store) : m_store(store)
{
    m_passwordPool.setMaxThreadCount(1);
    m_creationPool.setMaxThreadCount(1);
}

RoomDirectory::~RoomDirectory()
{
    m_passwordPool.waitForDone();
    m_creationPool.waitForDone();
}

bool RoomDirectory::load(QString *error)
{
    const std::optional<QList<RoomRecord>> rooms = m_store->rooms(error);
    if (!rooms)
        return false;
    m_rooms.clear();
    for (const RoomRecord &room : *rooms) {
        if (!Protocol::isDmTopic(room.name)) // dms are stored under their topic
            m_rooms.insert(room.name, room);
    }
    if (m_rooms.isEmpty())
        return create(QStringLiteral("general"), QStringLiteral("General"), {}, {}, error)
            .has_value();
    return true;
}

const RoomRecord *RoomDirectory::find(const QString &name) const
{
    const auto it = m_rooms.constFind(name);
    return it == m_rooms.cend() ? nullptr : &*it;
}

std::optional<RoomRecord> RoomDirectory::create(const QString &name, const QString &title,
                                                const QString &password, const QString &owner,
                                                QString *error)
{
    RoomRecord room;
    room.name = name;
    room.title = title.isEmpty() ? name : title;
    room.owner = owner;
    if (!password.isEmpty()) {
        const PasswordHash::Hashed hashed = PasswordHash::hash(password);
        room.passwordHash = hashed.hash;
        room.passwordSalt = hashed.salt;
    }
    if (!store(room, password, error))
        return std::nullopt;
    return *find(name);
}

void RoomDirectory::createLater(const QString &name, const QString &title, const QString &password,
                                const QString &owner, QObject *context, Created done)
{
    m_creating.insert(name, owner);
    RoomRecord room;
    room.name = name;
    room.title = title.isEmpty() ? name : title;
    room.owner = owner;
    const auto finish
        = [this, context, done = std::move(done)](RoomRecord room, const QString &password) {
              QMetaObject::invokeMethod(
                  context,
                  [this, room, password, done] {
                      m_creating.remove(room.name);
                      QString error;
                      if (!store(room, password, &error))
                          return done(std::nullopt, error);
                      done(*find(room.name), QString());
                  },
                  Qt::QueuedConnection);
          };
    if (password.isEmpty())
        return finish(room, password);
    m_creationPool.start([room, password, finish]() mutable {
        const PasswordHash::Hashed hashed = PasswordHash::hash(password);
        room.passwordHash = hashed.hash;
        room.passwordSalt = hashed.salt;
        finish(room, password);
    });
}

bool RoomDirectory::store(RoomRecord room, const QString &password, QString *error)
{
    room.createdTs = QDateTime::currentMSecsSinceEpoch();
    if (!m_store->createRoom(room, error))
        return false;
    m_rooms.insert(room.name, room);
    if (!password.isEmpty())
        rememberPassword(room, password);
    return true;
}

int RoomDirectory::ownedBy(const QString &userId) const
{
    int owned = 0;
    for (const RoomRecord &room : m_rooms)
        owned += room.owner == userId;
    for (const QString &owner : m_creating)
        owned += owner == userId;
    return owned;
}

QList<qint64> RoomDirectory::createdBy(const QString &userId, qint64 sinceMs) const
{
    QList<qint64> times;
    for (const RoomRecord &room : m_rooms) {
        if (room.owner == userId && room.createdTs >= sinceMs)
            times.append(room.createdTs);
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const QString &owner : m_creating) {
        if (owner == userId)
            times.append(now);
    }
    std::sort(times.begin(), times.end());
    return times;
}

QByteArray RoomDirectory::cacheKey(const RoomRecord &room, const QString &password)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(room.name.toUtf8());
    hash.addData(room.passwordSalt);
    hash.addData(password.toUtf8());
    return hash.result();
}

bool RoomDirectory::isKnownPassword(const RoomRecord &room, const QString &password) const
{
    return !room.isLocked() || m_knownPasswords.contains(cacheKey(room, password));
}

void RoomDirectory::rememberPassword(const RoomRecord &room, const QString &password)
{
    if (m_knownPasswords.size() < 10'000)
        m_knownPasswords.insert(cacheKey(room, password));
}

bool RoomDirectory::verifyPassword(const RoomRecord &room, const QString &password)
{
    return !room.isLocked() || PasswordHash::verify(password, room.passwordHash, room.passwordSalt);
}

void RoomDirectory::verifyPasswordLater(const RoomRecord &room, const QString &password,
                                        QObject *context, std::function<void()> done)
{
    ++m_checksUnderWay;
    m_passwordPool.start([this, room, password, context, done = std::move(done)] {
        const bool ok = verifyPassword(room, password);
        QMetaObject::invokeMethod(
            context,
            [this, room, password, ok, done] {
                --m_checksUnderWay;
                if (ok)
                    rememberPassword(room, password);
                done();
            },
            Qt::QueuedConnection);
    });
}

} // namespace Parley::Hub
