#include "hub/roomdirectory.h"

#include "hub/passwordhash.h"
#include "protocol/topics.h"

#include <QCryptographicHash>
#include <QDateTime>

namespace Parley::Hub {

RoomDirectory::RoomDirectory(HistoryStore *store) : m_store(store)
{
    m_passwordPool.setMaxThreadCount(1);
}

RoomDirectory::~RoomDirectory()
{
    m_passwordPool.waitForDone();
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
        return create(QStringLiteral("general"), QStringLiteral("General"), {}, error).has_value();
    return true;
}

const RoomRecord *RoomDirectory::find(const QString &name) const
{
    const auto it = m_rooms.constFind(name);
    return it == m_rooms.cend() ? nullptr : &*it;
}

std::optional<RoomRecord> RoomDirectory::create(const QString &name, const QString &title,
                                                const QString &password, QString *error)
{
    RoomRecord room;
    room.name = name;
    room.title = title.isEmpty() ? name : title;
    room.createdTs = QDateTime::currentMSecsSinceEpoch();
    if (!password.isEmpty()) {
        const PasswordHash::Hashed hashed = PasswordHash::hash(password);
        room.passwordHash = hashed.hash;
        room.passwordSalt = hashed.salt;
    }
    if (!m_store->createRoom(room, error))
        return std::nullopt;
    m_rooms.insert(name, room);
    if (!password.isEmpty())
        rememberPassword(room, password);
    return room;
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
    m_passwordPool.start([this, room, password, context, done = std::move(done)] {
        const bool ok = verifyPassword(room, password);
        QMetaObject::invokeMethod(context, [this, room, password, ok, done] {
            if (ok)
                rememberPassword(room, password);
            done();
        }, Qt::QueuedConnection);
    });
}

} // namespace Parley::Hub
