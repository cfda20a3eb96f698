#pragma once

#include <QAbstractListModel>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Parley::Client {

// One row of RoomListModel: a room of the hub or an open direct conversation.
struct RoomEntry
{
    QString topic; // "room:NAME" or "dm:A:B"
    QString name; // NAME, or the other user's id for a dm
    QString title; // the room's title, or the other user's nick for a dm
    int members = 0;
    bool locked = false;
    int unread = 0;
    int mentions = 0; // unread messages that name the user, and unread direct messages
    qint64 lastActivityMs = 0;
    bool isDm = false;
    bool joined = false;

    // A room object of hub:lobby ({"name", "title", "members", "locked", "last_id"}).
    static RoomEntry fromJson(const QJsonObject &room);
    friend bool operator==(const RoomEntry &, const RoomEntry &) = default;
};

// The rooms of one hub plus the open direct conversations, for the room list. Rows are kept
// sorted: rooms by name, then dms by title (case-insensitive). Every change is a precise row
// insert, remove or dataChanged — never a reset. Written only by ChatSession (which owns it);
// GUI thread.
class RoomListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Roles : int {
        TopicRole = Qt::UserRole + 1, // QString
        NameRole, // QString
        TitleRole, // QString
        MembersRole, // int
        LockedRole, // bool
        UnreadRole, // int
        LastActivityRole, // qint64 ms since the epoch, 0 if unknown
        IsDmRole, // bool
        JoinedRole, // bool: the topic is open in the session
        MentionsRole, // int: unread messages that mention the user (or dms)
    };
    Q_ENUM(Roles)

    explicit RoomListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int rowOfTopic(const QString &topic) const; // -1 if absent
    QString topicAt(int row) const; // empty if out of range
    RoomEntry entry(const QString &topic) const; // default entry if absent
    QList<RoomEntry> entries() const { return m_rows; }

    // Writers (ChatSession). setRooms() takes the hub's full room list: new rooms are inserted,
    // changed ones updated, vanished ones removed; dm rows and local state (unread, joined, last
    // activity) are kept.
    void setRooms(const QList<RoomEntry> &rooms);
    // Inserts or updates one row (hub fields only for an existing row; local state is kept).
    void upsert(const RoomEntry &entry);
    void remove(const QString &topic);
    void setJoined(const QString &topic, bool joined);
    void setTitle(const QString &topic, const QString &title);
    // A new unread message; `mention`: it names the user (or is a direct message).
    void incrementUnread(const QString &topic, int by = 1, bool mention = false);
    void clearUnread(const QString &topic); // unread and mentions
    void setLastActivity(const QString &topic, qint64 ms); // only ever moves forward
    int totalUnread() const;
    int totalMentions() const;

private:
    int insertionRow(const RoomEntry &entry) const;
    void updateRow(int row, const RoomEntry &entry);

    QList<RoomEntry> m_rows;
};

} // namespace Parley::Client
