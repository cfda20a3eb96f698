#include "hub/roomdirectory.h"

#include "hub/passwordhash.h"

#include <QDateTime>

namespace Parley::Hub {

bool RoomDirectory::load(QString *error)
{
    const std::optional<QList<RoomRecord>> rooms = m_store->rooms(error);
    if (!rooms)
        return false;
    m_rooms.clear();
    for (const RoomRecord &room : *rooms) {
        if (!room.name.startsWith(QLatin1String("dm:")))
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
    return room;
}

bool RoomDirectory::checkPassword(const RoomRecord &room, const QString &password) const
{
    if (!room.isLocked())
        return true;
    return PasswordHash::verify(password, room.passwordHash, room.passwordSalt);
}

} // namespace Parley::Hub
