#include "client/hublistmodel.h"

#include "client/chatsession.h"
#include "client/hubaddress.h"
#include "client/roomlistmodel.h"

namespace Parley::Client {

HubListModel::HubListModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

int HubListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant HubListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const ChatSession *session = row.session;
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return session->hubName().isEmpty() ? hubAddressText(session->hubUrl())
                                            : session->hubName();
    case Qt::ToolTipRole:
        return session->hubName().isEmpty()
            ? hubAddressText(session->hubUrl())
            : QStringLiteral("%1 (%2)").arg(session->hubName(), hubAddressText(session->hubUrl()));
    case SessionRole:
        return QVariant::fromValue<QObject *>(row.session);
    case UrlRole:
        return session->hubUrl().toString();
    case UnreadRole:
        return session->rooms()->totalUnread();
    case MentionsRole:
        return session->rooms()->totalMentions();
    case HostedRole:
        return row.hosted;
    case ConnectedRole:
        return session->connectionState() == ChatSession::ConnectionState::Connected;
    case CurrentRole:
        return session == m_current;
    case HubIdRole:
        return session->hubId();
    default:
        return {};
    }
}

QHash<int, QByteArray> HubListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({ { SessionRole, "session" },
                   { NameRole, "name" },
                   { UrlRole, "url" },
                   { UnreadRole, "unread" },
                   { MentionsRole, "mentions" },
                   { HostedRole, "hosted" },
                   { ConnectedRole, "connected" },
                   { CurrentRole, "current" },
                   { HubIdRole, "hubId" } });
    return names;
}

void HubListModel::append(ChatSession *session, bool hosted)
{
    if (!session || rowOf(session) >= 0)
        return;
    const int row = int(m_rows.size());
    beginInsertRows({}, row, row);
    m_rows.append({ session, hosted });
    endInsertRows();
    watch(session);
}

void HubListModel::replace(ChatSession *old, ChatSession *session)
{
    const int row = rowOf(old);
    if (row < 0 || !session || rowOf(session) >= 0)
        return;
    disconnect(old, nullptr, this, nullptr);
    disconnect(old->rooms(), nullptr, this, nullptr);
    m_rows[row].session = session;
    watch(session);
    const QModelIndex index = this->index(row);
    emit dataChanged(index, index);
    if (m_current == old)
        setCurrent(session);
}

void HubListModel::remove(ChatSession *session)
{
    const int row = rowOf(session);
    if (row < 0)
        return;
    disconnect(session, nullptr, this, nullptr);
    disconnect(session->rooms(), nullptr, this, nullptr);
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    if (m_current == session)
        setCurrent(m_rows.isEmpty() ? nullptr
                                    : m_rows.at(std::min(row, int(m_rows.size()) - 1)).session);
}

int HubListModel::rowOf(const ChatSession *session) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).session == session)
            return row;
    }
    return -1;
}

ChatSession *HubListModel::sessionAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).session : nullptr;
}

QList<ChatSession *> HubListModel::sessions() const
{
    QList<ChatSession *> sessions;
    sessions.reserve(m_rows.size());
    for (const Row &row : m_rows)
        sessions.append(row.session);
    return sessions;
}

ChatSession *HubListModel::hosted() const
{
    for (const Row &row : m_rows) {
        if (row.hosted)
            return row.session;
    }
    return nullptr;
}

void HubListModel::setCurrent(ChatSession *session)
{
    if (session && rowOf(session) < 0)
        return;
    if (session == m_current)
        return;
    ChatSession *old = m_current;
    m_current = session;
    if (old)
        changed(old, { CurrentRole });
    if (session)
        changed(session, { CurrentRole });
    emit currentChanged(session);
}

void HubListModel::watch(ChatSession *session)
{
    connect(session, &ChatSession::hubInfoChanged, this, [this, session] {
        changed(session, { Qt::DisplayRole, NameRole, Qt::ToolTipRole, HubIdRole });
    });
    connect(session, &ChatSession::connectionStateChanged, this,
            [this, session] { changed(session, { ConnectedRole }); });
    // Unread counts: any change of a room row may change the sums (rows come and go too).
    const auto counts = [this, session] { changed(session, { UnreadRole, MentionsRole }); };
    RoomListModel *rooms = session->rooms();
    connect(rooms, &QAbstractItemModel::dataChanged, this,
            [counts](const QModelIndex &, const QModelIndex &, const QList<int> &roles) {
                if (roles.isEmpty() || roles.contains(RoomListModel::UnreadRole))
                    counts();
            });
    connect(rooms, &QAbstractItemModel::rowsRemoved, this, counts);
    connect(rooms, &QAbstractItemModel::modelReset, this, counts);
}

void HubListModel::changed(const ChatSession *session, const QList<int> &roles)
{
    const int row = rowOf(session);
    if (row < 0)
        return;
    const QModelIndex index = this->index(row);
    emit dataChanged(index, index, roles);
}

} // namespace Parley::Client
