#pragma once

#include <QAbstractListModel>
#include <QList>
#include <QPointer>

namespace Parley::Client {

class ChatSession;

// The hubs the app is on, one row per ChatSession, in the order they were joined: what the hub
// rail shows (name, unread and mention badges, connection state, the hub this app hosts) and
// which one is shown. Rows follow their session (hub info, connection, room unread counts) with
// precise dataChanged; a session is never owned here. Written by the app's Workspace; GUI thread.
class HubListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Roles : int {
        SessionRole = Qt::UserRole + 1, // QObject*: the ChatSession
        NameRole, // QString: the hub's name, else its address until the lobby answers
        UrlRole, // QString: ws(s)://HOST:PORT/socket
        UnreadRole, // int: unread messages over its rooms and dms
        MentionsRole, // int: of those, mentions of the user and direct messages
        HostedRole, // bool: this app runs the hub
        ConnectedRole, // bool: the session is connected
        CurrentRole, // bool: the hub shown in the window
        HubIdRole, // QString: the hub's id once the lobby answered, else empty
    };
    Q_ENUM(Roles)

    explicit HubListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void append(ChatSession *session, bool hosted);
    // The new session takes the old one's row (a reconnect as a new identity or nick).
    void replace(ChatSession *old, ChatSession *session);
    void remove(ChatSession *session);

    int rowOf(const ChatSession *session) const; // -1 if absent
    ChatSession *sessionAt(int row) const; // nullptr if out of range
    QList<ChatSession *> sessions() const;
    ChatSession *hosted() const; // nullptr when not hosting
    bool isHosted(const ChatSession *session) const { return session && session == hosted(); }

    ChatSession *current() const { return m_current; }
    void setCurrent(ChatSession *session); // nullptr, or a session of the model

signals:
    void currentChanged(Parley::Client::ChatSession *session);

private:
    struct Row
    {
        ChatSession *session = nullptr;
        bool hosted = false;
    };
    void watch(ChatSession *session);
    void changed(const ChatSession *session, const QList<int> &roles);

    QList<Row> m_rows;
    ChatSession *m_current = nullptr; // a session of m_rows, or nullptr
};

} // namespace Parley::Client
