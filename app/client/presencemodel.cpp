#include "client/presencemodel.h"

#include "client/nickdirectory.h"
#include "protocol/events.h"
#include "protocol/identity.h"

#include "client/presencesync.h"

#include <QJsonArray>

#include <algorithm>
#include <limits>
#include <utility>

namespace Parley::Client {

PresenceEntry PresenceEntry::fromPresence(const QString &key, const QJsonObject &presence)
{
    PresenceEntry entry;
    entry.userId = key;
    const QJsonArray metas = presence.value(QLatin1String("metas")).toArray();
    entry.deviceCount = int(metas.size());
    if (metas.isEmpty())
        return entry;
    const QJsonObject newest = metas.last().toObject();
    entry.nick = newest.value(QLatin1String("nick")).toString();
    entry.status = newest.value(QLatin1String("status")).toString();
    if (entry.status.isEmpty())
        entry.status = Protocol::Status::Online;
    qint64 since = std::numeric_limits<qint64>::max();
    for (const QJsonValue &value : metas) {
        const QJsonObject meta = value.toObject();
        entry.typing = entry.typing || meta.value(QLatin1String("typing")).toBool();
        const QJsonValue onlineAt = meta.value(QLatin1String("online_at"));
        if (onlineAt.isDouble())
            since = std::min(since, static_cast<qint64>(onlineAt.toDouble()));
    }
    entry.onlineSinceMs = since == std::numeric_limits<qint64>::max() ? 0 : since;
    return entry;
}

PresenceModel::PresenceModel(const QString &selfUserId, QObject *parent)
    : QAbstractListModel(parent)
    , m_selfUserId(selfUserId)
{
}

int PresenceModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant PresenceModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const PresenceEntry &entry = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NickRole:
        return entry.nick;
    case UserIdRole:
        return entry.userId;
    case StatusRole:
        return entry.status;
    case DeviceCountRole:
        return entry.deviceCount;
    case TypingRole:
        return entry.typing && m_offlineSince == 0;
    case LastKnownRole:
        return m_offlineSince != 0;
    case OnlineSinceRole:
        return entry.onlineSinceMs;
    case IsSelfRole:
        return entry.userId == m_selfUserId;
    case DisplayNameRole:
        return m_nicks ? m_nicks->displayName(entry.userId, entry.nick) : entry.nick;
    case FingerprintRole:
        return Protocol::Identity::fingerprint(entry.userId);
    default:
        return {};
    }
}

QHash<int, QByteArray> PresenceModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({ { UserIdRole, "userId" },
                   { NickRole, "nick" },
                   { StatusRole, "status" },
                   { DeviceCountRole, "deviceCount" },
                   { TypingRole, "typing" },
                   { LastKnownRole, "lastKnown" },
                   { OnlineSinceRole, "onlineSince" },
                   { IsSelfRole, "isSelf" },
                   { DisplayNameRole, "displayName" },
                   { FingerprintRole, "fingerprint" } });
    return names;
}

void PresenceModel::setNickDirectory(NickDirectory *directory)
{
    if (m_nicks)
        m_nicks->disconnect(this);
    m_nicks = directory;
    if (directory)
        connect(directory, &NickDirectory::sharedChanged, this, &PresenceModel::onSharedNicksChanged);
}

void PresenceModel::onSharedNicksChanged(const QSet<QString> &foldedNicks)
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (foldedNicks.contains(NickDirectory::folded(m_rows.at(row).nick)))
            emit dataChanged(index(row), index(row), { DisplayNameRole });
    }
}

void PresenceModel::setOfflineSince(qint64 msSinceEpoch)
{
    if ((msSinceEpoch != 0) == (m_offlineSince != 0))
        return; // still offline since the first time, or still live
    m_offlineSince = msSinceEpoch;
    if (!m_rows.isEmpty())
        emit dataChanged(index(0), index(int(m_rows.size()) - 1), { TypingRole, LastKnownRole });
    emit offlineChanged();
}

QStringList PresenceModel::typingNicks() const
{
    QStringList nicks;
    if (m_offlineSince != 0)
        return nicks;
    for (const PresenceEntry &entry : m_rows) {
        if (entry.typing && entry.userId != m_selfUserId)
            nicks.append(m_nicks ? m_nicks->displayName(entry.userId, entry.nick) : entry.nick);
    }
    return nicks;
}

int PresenceModel::rowOfUser(const QString &userId) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).userId == userId)
            return row;
    }
    return -1;
}

PresenceEntry PresenceModel::entryAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : PresenceEntry();
}

QString PresenceModel::nickOf(const QString &userId) const
{
    const int row = rowOfUser(userId);
    return row < 0 ? QString() : m_rows.at(row).nick;
}

void PresenceModel::bindTo(PresenceSync *sync)
{
    if (m_sync)
        m_sync->disconnect(this);
    m_sync = sync;
    m_dirty.clear();
    connect(sync, &PresenceSync::joined, this,
            [this](const QString &key, const QJsonObject &, const QJsonObject &) {
                m_dirty.insert(key);
            });
    connect(sync, &PresenceSync::left, this,
            [this](const QString &key, const QJsonObject &, const QJsonObject &) {
                m_dirty.insert(key);
            });
    connect(sync, &PresenceSync::synced, this, [this, sync] { applyFrom(sync); });
    m_fullSyncPending = true;
    if (!sync->state().isEmpty())
        applyFrom(sync);
}

void PresenceModel::applyFrom(PresenceSync *sync)
{
    if (std::exchange(m_fullSyncPending, false)) {
        for (const PresenceEntry &entry : std::as_const(m_rows))
            m_dirty.insert(entry.userId);
        const QStringList keys = sync->state().keys();
        for (const QString &key : keys)
            m_dirty.insert(key);
    }
    QStringList keys(m_dirty.cbegin(), m_dirty.cend());
    m_dirty.clear();
    keys.sort();
    for (const QString &key : keys) {
        if (sync->state().contains(key))
            setPresence(key, sync->state().value(key));
        else
            removeUser(key);
    }
}

void PresenceModel::setPresence(const QString &key, const QJsonObject &presence)
{
    const PresenceEntry entry = PresenceEntry::fromPresence(key, presence);
    if (entry.deviceCount == 0) {
        removeUser(key);
        return;
    }
    const int row = rowOfUser(key);
    if (row < 0) {
        const int at = sortedRow(entry, -1);
        beginInsertRows({}, at, at);
        m_rows.insert(at, entry);
        endInsertRows();
        return;
    }
    const PresenceEntry old = m_rows.at(row);
    if (old == entry)
        return;
    QList<int> roles;
    if (old.nick != entry.nick)
        roles << Qt::DisplayRole << NickRole << DisplayNameRole;
    if (old.status != entry.status)
        roles << StatusRole;
    if (old.deviceCount != entry.deviceCount)
        roles << DeviceCountRole;
    if (old.typing != entry.typing)
        roles << TypingRole;
    if (old.onlineSinceMs != entry.onlineSinceMs)
        roles << OnlineSinceRole;
    m_rows[row] = entry;
    const QModelIndex index = this->index(row);
    emit dataChanged(index, index, roles);

    const int target = sortedRow(entry, row);
    if (target == row)
        return;
    beginMoveRows({}, row, row, {}, target > row ? target + 1 : target);
    m_rows.move(row, target);
    endMoveRows();
}

void PresenceModel::removeUser(const QString &userId)
{
    const int row = rowOfUser(userId);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

void PresenceModel::applySummary(const QJsonObject &summary)
{
    const bool limited = summary.value(QLatin1String("limited")).toBool();
    const int users = std::max(0, summary.value(QLatin1String("users")).toInt());
    if (limited == m_limited && users == m_summaryUsers)
        return;
    m_limited = limited;
    m_summaryUsers = users;
    emit summaryChanged();
}

void PresenceModel::clear()
{
    m_dirty.clear();
    m_fullSyncPending = false;
    applySummary({});
    while (!m_rows.isEmpty()) {
        const int row = int(m_rows.size()) - 1;
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    }
}

int PresenceModel::statusRank(const QString &status)
{
    if (status == Protocol::Status::Online)
        return 0;
    if (status == Protocol::Status::Away)
        return 1;
    if (status == Protocol::Status::Busy)
        return 2;
    return 3;
}

bool PresenceModel::lessThan(const PresenceEntry &a, const PresenceEntry &b) const
{
    const int ra = statusRank(a.status);
    const int rb = statusRank(b.status);
    if (ra != rb)
        return ra < rb;
    const int c = a.nick.compare(b.nick, Qt::CaseInsensitive);
    if (c != 0)
        return c < 0;
    return a.userId < b.userId;
}

// The row entry belongs at among the rows other than skipRow (an index into that shorter list).
int PresenceModel::sortedRow(const PresenceEntry &entry, int skipRow) const
{
    int position = 0;
    for (int row = 0; row < m_rows.size(); ++row) {
        if (row == skipRow)
            continue;
        if (lessThan(m_rows.at(row), entry))
            ++position;
    }
    return position;
}

} // namespace Parley::Client
