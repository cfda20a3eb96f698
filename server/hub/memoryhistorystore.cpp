#include "hub/memoryhistorystore.h"

#include <algorithm>

namespace Parley::Hub {

std::optional<QList<RoomRecord>> MemoryHistoryStore::rooms(QString *)
{
    return m_rooms.values();
}

bool MemoryHistoryStore::createRoom(const RoomRecord &room, QString *error)
{
    if (m_rooms.contains(room.name)) {
        if (error)
            *error = QStringLiteral("room exists");
        return false;
    }
    m_rooms.insert(room.name, room);
    return true;
}

std::optional<QList<AppendResult>> MemoryHistoryStore::append(const QList<NewMessage> &messages,
                                                              QString *)
{
    QList<AppendResult> results;
    results.reserve(messages.size());
    for (const NewMessage &in : messages) {
        const QString clientKey = in.userId + u'\n' + in.clientId;
        if (!in.clientId.isEmpty()) {
            if (const auto it = m_byClientId.constFind(clientKey); it != m_byClientId.cend()) {
                results.append({ m_messages.value(*it), true });
                continue;
            }
        }
        StoredMessage stored;
        stored.id = m_nextId++;
        stored.room = in.room;
        stored.userId = in.userId;
        stored.nick = in.nick;
        stored.body = in.body;
        stored.ts = in.ts;
        stored.clientId = in.clientId;
        m_messages.insert(stored.id, stored);
        m_roomIds[in.room].append(stored.id);
        if (!in.clientId.isEmpty())
            m_byClientId.insert(clientKey, stored.id);
        results.append({ stored, false });
    }
    return results;
}

std::optional<HistoryPage> MemoryHistoryStore::latest(const QString &room, int limit, QString *)
{
    const QList<qint64> ids = m_roomIds.value(room);
    HistoryPage page;
    const qsizetype first = std::max<qsizetype>(0, ids.size() - limit);
    page.hasMore = first > 0;
    for (qsizetype i = first; i < ids.size(); ++i)
        page.messages.append(m_messages.value(ids[i]));
    return page;
}

std::optional<HistoryPage> MemoryHistoryStore::after(const QString &room, qint64 afterId,
                                                     int limit, QString *)
{
    const QList<qint64> ids = m_roomIds.value(room);
    auto it = std::upper_bound(ids.cbegin(), ids.cend(), afterId);
    HistoryPage page;
    for (; it != ids.cend() && page.messages.size() < limit; ++it)
        page.messages.append(m_messages.value(*it));
    page.hasMore = it != ids.cend();
    return page;
}

std::optional<HistoryPage> MemoryHistoryStore::before(const QString &room, qint64 beforeId,
                                                      int limit, QString *)
{
    const QList<qint64> ids = m_roomIds.value(room);
    const qsizetype end = std::lower_bound(ids.cbegin(), ids.cend(), beforeId) - ids.cbegin();
    const qsizetype first = std::max<qsizetype>(0, end - limit);
    HistoryPage page;
    page.hasMore = first > 0;
    for (qsizetype i = first; i < end; ++i)
        page.messages.append(m_messages.value(ids[i]));
    return page;
}

std::optional<StoredMessage> MemoryHistoryStore::message(qint64 id, QString *error)
{
    if (error)
        error->clear();
    const auto it = m_messages.constFind(id);
    if (it == m_messages.cend())
        return std::nullopt;
    return *it;
}

std::optional<StoredMessage> MemoryHistoryStore::edit(qint64 id, const QString &body,
                                                      qint64 editedTs, QString *error)
{
    auto it = m_messages.find(id);
    if (it == m_messages.end()) {
        if (error)
            *error = QStringLiteral("no such message");
        return std::nullopt;
    }
    it->body = body;
    it->editedTs = editedTs;
    return *it;
}

std::optional<StoredMessage> MemoryHistoryStore::markDeleted(qint64 id, qint64 ts, QString *error)
{
    auto it = m_messages.find(id);
    if (it == m_messages.end()) {
        if (error)
            *error = QStringLiteral("no such message");
        return std::nullopt;
    }
    it->body.clear();
    it->deleted = true;
    it->editedTs = ts;
    return *it;
}

qint64 MemoryHistoryStore::lastId(const QString &room)
{
    const QList<qint64> ids = m_roomIds.value(room);
    return ids.isEmpty() ? 0 : ids.last();
}

qint64 MemoryHistoryStore::maxId()
{
    return m_nextId - 1;
}

QString MemoryHistoryStore::meta(const QString &key)
{
    return m_meta.value(key);
}

bool MemoryHistoryStore::setMeta(const QString &key, const QString &value, QString *)
{
    m_meta.insert(key, value);
    return true;
}

} // namespace Parley::Hub
