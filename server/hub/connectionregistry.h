#pragma once

#include <QHash>
#include <QList>
#include <QMultiHash>
#include <QString>

namespace Parley::Hub {

class Connection;

// The hub's open connections, by id and, once their connect was accepted, by user_id. Owns
// nothing (connections are the Hub's children); the Hub adds and removes, channels look up.
// Hub thread only.
class ConnectionRegistry
{
public:
    void add(quint64 id, Connection *connection) { m_byId.insert(id, connection); }
    // The connect was accepted: the connection is now one of `userId`'s devices.
    void authenticated(const QString &userId, Connection *connection) { m_byUser.insert(userId, connection); }
    // False if it was not registered (already removed).
    bool remove(quint64 id, const QString &userId, Connection *connection)
    {
        if (!m_byId.remove(id))
            return false;
        if (!userId.isEmpty())
            m_byUser.remove(userId, connection);
        return true;
    }

    Connection *find(quint64 id) const { return m_byId.value(id); }
    QList<Connection *> ofUser(const QString &userId) const { return m_byUser.values(userId); }
    QList<Connection *> all() const { return m_byId.values(); }
    qsizetype size() const { return m_byId.size(); }
    bool isEmpty() const { return m_byId.isEmpty(); }

private:
    QHash<quint64, Connection *> m_byId;
    QMultiHash<QString, Connection *> m_byUser;
};

} // namespace Parley::Hub
