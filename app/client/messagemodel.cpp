#include "client/messagemodel.h"

#include "client/nickdirectory.h"
#include "protocol/identity.h"

#include <algorithm>

namespace Parley::Client {

MessageModel::MessageModel(const QString &topic, const QString &ownUserId, QObject *parent)
    : QAbstractListModel(parent)
    , m_topic(topic)
    , m_ownUserId(ownUserId)
{
}

int MessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ChatMessage &message = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case BodyRole:
        return message.body;
    case IdRole:
        return message.id;
    case UserIdRole:
        return message.userId;
    case NickRole:
        return message.nick;
    case TimestampRole:
        return message.ts;
    case EditedRole:
        return message.edited;
    case DeletedRole:
        return message.deleted;
    case StateRole:
        return int(message.state);
    case IsOwnRole:
        return message.userId == m_ownUserId;
    case ClientIdRole:
        return message.clientId;
    case MessageRole:
        return QVariant::fromValue(message);
    case DisplayNameRole:
        return displayName(message);
    case FingerprintRole:
        return Protocol::Identity::fingerprint(message.userId);
    default:
        return {};
    }
}

void MessageModel::setNickDirectory(NickDirectory *directory)
{
    if (m_nicks)
        m_nicks->disconnect(this);
    m_nicks = directory;
    if (directory)
        connect(directory, &NickDirectory::sharedChanged, this, &MessageModel::onSharedNicksChanged);
}

void MessageModel::onSharedNicksChanged(const QSet<QString> &foldedNicks)
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (foldedNicks.contains(NickDirectory::folded(m_rows.at(row).nick)))
            emit dataChanged(index(row), index(row), { DisplayNameRole });
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({ { IdRole, "id" },
                   { UserIdRole, "userId" },
                   { NickRole, "nick" },
                   { DisplayNameRole, "displayName" },
                   { FingerprintRole, "fingerprint" },
                   { BodyRole, "body" },
                   { TimestampRole, "timestamp" },
                   { EditedRole, "edited" },
                   { DeletedRole, "deleted" },
                   { StateRole, "state" },
                   { IsOwnRole, "isOwn" },
                   { ClientIdRole, "clientId" },
                   { MessageRole, "message" } });
    return names;
}

ChatMessage MessageModel::messageAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : ChatMessage();
}

QString MessageModel::displayName(const ChatMessage &message) const
{
    return m_nicks ? m_nicks->displayName(message.userId, message.nick) : message.nick;
}

int MessageModel::rowOfId(qint64 id) const
{
    if (id <= 0)
        return -1;
    const auto end = m_rows.cbegin() + confirmedCount();
    const auto it = std::lower_bound(m_rows.cbegin(), end, id,
                                     [](const ChatMessage &m, qint64 id) { return m.id < id; });
    return it != end && it->id == id ? int(it - m_rows.cbegin()) : -1;
}

int MessageModel::rowOfClientId(const QString &clientId) const
{
    if (clientId.isEmpty())
        return -1;
    // Unconfirmed rows first: they are the ones a reply or broadcast has to find.
    for (int row = int(m_rows.size()) - 1; row >= 0; --row) {
        const ChatMessage &m = m_rows.at(row);
        if (m.clientId == clientId && m.userId == m_ownUserId)
            return row;
    }
    return -1;
}

qint64 MessageModel::newestId() const
{
    const int count = confirmedCount();
    return count > 0 ? m_rows.at(count - 1).id : 0;
}

qint64 MessageModel::oldestId() const
{
    return confirmedCount() > 0 ? m_rows.first().id : 0;
}

QList<ChatMessage> MessageModel::unconfirmed() const
{
    return m_rows.mid(confirmedCount());
}

void MessageModel::addPending(const ChatMessage &message)
{
    ChatMessage pending = message;
    pending.id = 0;
    pending.state = ChatMessage::State::Pending;
    pending.topic = m_topic;
    insertRows(int(m_rows.size()), { pending });
}

bool MessageModel::merge(const ChatMessage &message)
{
    if (!message.isValid())
        return false;
    ChatMessage confirmed = message;
    confirmed.state = ChatMessage::State::Sent;
    confirmed.topic = m_topic;

    if (const int row = rowOfId(confirmed.id); row >= 0) {
        replaceRow(row, confirmed);
        return false;
    }
    if (confirmed.userId == m_ownUserId && !confirmed.clientId.isEmpty()) {
        const int row = rowOfClientId(confirmed.clientId);
        if (row >= confirmedCount()) {
            // Our pending message came back (reply or broadcast): confirm it in place, then
            // move it among the confirmed ones by id.
            const int target = insertionRowForId(confirmed.id); // before the row gets its id
            replaceRow(row, confirmed);
            if (target != row) {
                beginMoveRows({}, row, row, {}, target);
                m_rows.move(row, target);
                endMoveRows();
            }
            return false;
        }
    }
    const int row = insertionRowForId(confirmed.id);
    insertRows(row, { confirmed });
    if (row + 1 >= confirmedCount())
        trim(); // a new message at the end (a history page never trims)
    return true;
}

void MessageModel::setTrimPaused(bool paused)
{
    if (m_trimPaused == paused)
        return;
    m_trimPaused = paused;
    if (!paused)
        trim();
}

void MessageModel::trim()
{
    const int count = int(m_rows.size());
    if (m_rowLimit <= 0 || count <= m_rowLimit + m_rowLimit / 4)
        return;
    int drop = m_trimPaused ? 0 : count - m_rowLimit;
    if (m_keepFrom > 0) // not the unread ones
        drop = qMin(drop, insertionRowForId(m_keepFrom - 1));
    const int hardCap = 20 * m_rowLimit;
    drop = qMin(qMax(drop, count - hardCap), confirmedCount());
    if (drop <= 0)
        return;
    beginRemoveRows({}, 0, drop - 1);
    m_rows.remove(0, drop);
    endRemoveRows();
    m_hasMore = true;
}

int MessageModel::mergeAll(const QList<ChatMessage> &messages)
{
    int added = 0;
    for (const ChatMessage &message : messages) {
        if (merge(message))
            ++added;
    }
    return added;
}

int MessageModel::prependHistory(const QList<ChatMessage> &messages, bool hasMore)
{
    const qint64 oldest = oldestId();
    QList<ChatMessage> older;
    QList<ChatMessage> rest;
    for (const ChatMessage &message : messages) {
        if (!message.isValid())
            continue;
        if (oldest == 0 || message.id < oldest)
            older.append(message);
        else
            rest.append(message);
    }
    std::sort(older.begin(), older.end(),
              [](const ChatMessage &a, const ChatMessage &b) { return a.id < b.id; });
    older.erase(
        std::unique(older.begin(), older.end(),
                    [](const ChatMessage &a, const ChatMessage &b) { return a.id == b.id; }),
        older.end());
    // An own message still pending here (e.g. its reply was lost) is confirmed, not repeated.
    int added = 0;
    for (qsizetype i = older.size() - 1; i >= 0; --i) {
        const ChatMessage &m = older.at(i);
        if (m.userId == m_ownUserId && rowOfClientId(m.clientId) >= confirmedCount()) {
            rest.append(m);
            older.removeAt(i);
        }
    }
    for (ChatMessage &m : older) {
        m.state = ChatMessage::State::Sent;
        m.topic = m_topic;
    }
    if (!older.isEmpty()) {
        if (oldest == 0)
            insertRows(insertionRowForId(older.first().id), older);
        else
            insertRows(0, older);
        added += int(older.size());
    }
    added += mergeAll(rest);
    m_hasMore = hasMore;
    emit historyLoaded(added);
    return added;
}

void MessageModel::markFailed(const QString &clientId)
{
    const int row = rowOfClientId(clientId);
    if (row < confirmedCount())
        return;
    ChatMessage message = m_rows.at(row);
    message.state = ChatMessage::State::Failed;
    replaceRow(row, message);
}

void MessageModel::markPending(const QString &clientId)
{
    const int row = rowOfClientId(clientId);
    if (row < confirmedCount())
        return;
    ChatMessage message = m_rows.at(row);
    message.state = ChatMessage::State::Pending;
    replaceRow(row, message);
}

void MessageModel::removeUnconfirmed(const QString &clientId)
{
    const int row = rowOfClientId(clientId);
    if (row < confirmedCount())
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
}

bool MessageModel::applyEdit(const ChatMessage &message)
{
    const int row = rowOfId(message.id);
    if (row < 0)
        return false;
    ChatMessage edited = message;
    edited.state = ChatMessage::State::Sent;
    edited.topic = m_topic;
    edited.edited = true;
    replaceRow(row, edited);
    return true;
}

bool MessageModel::applyDelete(qint64 id)
{
    const int row = rowOfId(id);
    if (row < 0)
        return false;
    ChatMessage message = m_rows.at(row);
    message.deleted = true;
    message.body.clear();
    replaceRow(row, message);
    return true;
}

int MessageModel::confirmedCount() const
{
    // Unconfirmed rows (id 0) are only ever at the end.
    int count = int(m_rows.size());
    while (count > 0 && m_rows.at(count - 1).id == 0)
        --count;
    return count;
}

int MessageModel::insertionRowForId(qint64 id) const
{
    const auto end = m_rows.cbegin() + confirmedCount();
    const auto it = std::upper_bound(m_rows.cbegin(), end, id,
                                     [](qint64 id, const ChatMessage &m) { return id < m.id; });
    return int(it - m_rows.cbegin());
}

void MessageModel::replaceRow(int row, const ChatMessage &message)
{
    const ChatMessage old = m_rows.at(row);
    if (old == message)
        return;
    QList<int> roles { MessageRole };
    if (old.id != message.id)
        roles << IdRole;
    if (old.userId != message.userId)
        roles << UserIdRole << IsOwnRole << FingerprintRole << DisplayNameRole;
    if (old.nick != message.nick)
        roles << NickRole << DisplayNameRole;
    if (old.body != message.body)
        roles << Qt::DisplayRole << BodyRole;
    if (old.ts != message.ts)
        roles << TimestampRole;
    if (old.edited != message.edited)
        roles << EditedRole;
    if (old.deleted != message.deleted)
        roles << DeletedRole;
    if (old.state != message.state)
        roles << StateRole;
    if (old.clientId != message.clientId)
        roles << ClientIdRole;
    m_rows[row] = message;
    const QModelIndex index = this->index(row);
    emit dataChanged(index, index, roles);
}

void MessageModel::insertRows(int row, const QList<ChatMessage> &messages)
{
    if (messages.isEmpty())
        return;
    beginInsertRows({}, row, row + int(messages.size()) - 1);
    for (qsizetype i = 0; i < messages.size(); ++i)
        m_rows.insert(row + i, messages.at(i));
    endInsertRows();
}

} // namespace Parley::Client
