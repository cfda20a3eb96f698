#include "client/roomlistmodel.h"

#include "protocol/topics.h"

#include <QSet>

namespace Parley::Client {

RoomEntry RoomEntry::fromJson(const QJsonObject &room)
{
    RoomEntry entry;
    entry.name = room.value(QLatin1String("name")).toString();
    entry.topic = Protocol::roomTopic(entry.name);
    entry.title = room.value(QLatin1String("title")).toString();
    if (entry.title.isEmpty())
        entry.title = entry.name;
    entry.members = room.value(QLatin1String("members")).toInt();
    entry.locked = room.value(QLatin1String("locked")).toBool();
    return entry;
}

RoomListModel::RoomListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int RoomListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant RoomListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RoomEntry &entry = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return entry.title;
    case TopicRole:
        return entry.topic;
    case NameRole:
        return entry.name;
    case MembersRole:
        return entry.members;
    case LockedRole:
        return entry.locked;
    case UnreadRole:
        return entry.unread;
    case LastActivityRole:
        return entry.lastActivityMs;
    case IsDmRole:
        return entry.isDm;
    case JoinedRole:
        return entry.joined;
    case MentionsRole:
        return entry.mentions;
    default:
        return {};
    }
}

QHash<int, QByteArray> RoomListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({ { TopicRole, "topic" },
                   { NameRole, "name" },
                   { TitleRole, "title" },
                   { MembersRole, "members" },
                   { LockedRole, "locked" },
                   { UnreadRole, "unread" },
                   { LastActivityRole, "lastActivity" },
                   { IsDmRole, "isDm" },
                   { JoinedRole, "joined" },
                   { MentionsRole, "mentions" } });
    return names;
}

int RoomListModel::rowOfTopic(const QString &topic) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).topic == topic)
            return row;
    }
    return -1;
}

QString RoomListModel::topicAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).topic : QString();
}

RoomEntry RoomListModel::entry(const QString &topic) const
{
    const int row = rowOfTopic(topic);
    return row < 0 ? RoomEntry() : m_rows.at(row);
}

void RoomListModel::setRooms(const QList<RoomEntry> &rooms)
{
    QSet<QString> topics;
    for (const RoomEntry &room : rooms)
        topics.insert(room.topic);
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        const RoomEntry &entry = m_rows.at(row);
        if (!entry.isDm && !topics.contains(entry.topic)) {
            beginRemoveRows({}, row, row);
            m_rows.removeAt(row);
            endRemoveRows();
        }
    }
    for (const RoomEntry &room : rooms)
        upsert(room);
}

void RoomListModel::upsert(const RoomEntry &entry)
{
    const int row = rowOfTopic(entry.topic);
    if (row < 0) {
        const int at = insertionRow(entry);
        beginInsertRows({}, at, at);
        m_rows.insert(at, entry);
        endInsertRows();
        return;
    }
    RoomEntry updated = m_rows.at(row);
    updated.name = entry.name;
    updated.title = entry.title;
    updated.members = entry.members;
    updated.locked = entry.locked;
    updateRow(row, updated);
}

void RoomListModel::remove(const QString &topic)
{
    const int row = rowOfTopic(topic);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

void RoomListModel::setJoined(const QString &topic, bool joined)
{
    const int row = rowOfTopic(topic);
    if (row < 0)
        return;
    RoomEntry entry = m_rows.at(row);
    entry.joined = joined;
    updateRow(row, entry);
}

void RoomListModel::setTitle(const QString &topic, const QString &title)
{
    const int row = rowOfTopic(topic);
    if (row < 0)
        return;
    RoomEntry entry = m_rows.at(row);
    entry.title = title;
    updateRow(row, entry);
}

void RoomListModel::incrementUnread(const QString &topic, int by, bool mention)
{
    const int row = rowOfTopic(topic);
    if (row < 0 || by <= 0)
        return;
    RoomEntry entry = m_rows.at(row);
    entry.unread += by;
    if (mention)
        entry.mentions += by;
    updateRow(row, entry);
}

void RoomListModel::clearUnread(const QString &topic)
{
    const int row = rowOfTopic(topic);
    if (row < 0)
        return;
    RoomEntry entry = m_rows.at(row);
    entry.unread = 0;
    entry.mentions = 0;
    updateRow(row, entry);
}

void RoomListModel::setLastActivity(const QString &topic, qint64 ms)
{
    const int row = rowOfTopic(topic);
    if (row < 0 || ms <= m_rows.at(row).lastActivityMs)
        return;
    RoomEntry entry = m_rows.at(row);
    entry.lastActivityMs = ms;
    updateRow(row, entry);
}

int RoomListModel::totalUnread() const
{
    int total = 0;
    for (const RoomEntry &entry : m_rows)
        total += entry.unread;
    return total;
}

int RoomListModel::totalMentions() const
{
    int total = 0;
    for (const RoomEntry &entry : m_rows)
        total += entry.mentions;
    return total;
}

// Rooms by name, then dms by title; a new row goes after its equals.
int RoomListModel::insertionRow(const RoomEntry &entry) const
{
    const auto before = [](const RoomEntry &a, const RoomEntry &b) {
        if (a.isDm != b.isDm)
            return !a.isDm;
        const QString &ka = a.isDm ? a.title : a.name;
        const QString &kb = b.isDm ? b.title : b.name;
        const int c = ka.compare(kb, Qt::CaseInsensitive);
        return c != 0 ? c < 0 : a.topic < b.topic;
    };
    int row = 0;
    while (row < m_rows.size() && !before(entry, m_rows.at(row)))
        ++row;
    return row;
}

// Changes a row; the title of a dm decides its place, so a changed title may move it.
void RoomListModel::updateRow(int row, const RoomEntry &entry)
{
    const RoomEntry old = m_rows.at(row);
    if (old == entry)
        return;
    QList<int> roles;
    if (old.title != entry.title)
        roles << Qt::DisplayRole << TitleRole;
    if (old.name != entry.name)
        roles << NameRole;
    if (old.members != entry.members)
        roles << MembersRole;
    if (old.locked != entry.locked)
        roles << LockedRole;
    if (old.unread != entry.unread)
        roles << UnreadRole;
    if (old.mentions != entry.mentions)
        roles << MentionsRole;
    if (old.lastActivityMs != entry.lastActivityMs)
        roles << LastActivityRole;
    if (old.joined != entry.joined)
        roles << JoinedRole;
    m_rows[row] = entry;
    const QModelIndex index = this->index(row);
    emit dataChanged(index, index, roles);

    if (old.title == entry.title && old.name == entry.name)
        return;
    // Re-place the row if its sort key changed.
    m_rows.removeAt(row);
    const int target = insertionRow(entry);
    m_rows.insert(row, entry);
    if (target == row)
        return;
    const int destination = target > row ? target + 1 : target;
    beginMoveRows({}, row, row, {}, destination);
    m_rows.move(row, target);
    endMoveRows();
}

} // namespace Parley::Client
