#pragma once

#include "hub/channel.h"
#include "hub/channelcontext.h"
#include "hub/historystore.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace Parley::Hub {

// room:NAME and dm:A:B: join with history (or after_id catch-up), new_msg with group commit,
// history pages, typing, edit and delete. A new_msg is answered only after its transaction
// committed (on the store thread, StoreQueue); then it is broadcast. Edits and deletes commit
// there too, in the same order. Owned by the Hub; hub thread only.
class RoomChannel : public QObject, public Channel
{
    Q_OBJECT
public:
    RoomChannel(const ChannelContext &context, QObject *parent);

    JoinResult join(Connection *connection, const Protocol::Topic &topic,
                    const QString &topicName, const QJsonObject &params) override;
    void handleIn(Connection *connection, const Protocol::Message &message) override;
    void left(Connection *connection, const QString &topicName) override;

    // The key a topic's messages are stored under: the room name, or the dm topic itself.
    static QString storeKey(const QString &topicName);

private:
    struct Pending
    {
        QPointer<Connection> connection;
        Protocol::Message request;
        NewMessage message;
    };

    void newMessage(Connection *connection, const Protocol::Message &message);
    void commitPending();
    void finishCommit(const QList<Pending> &pending,
                      const std::optional<QList<AppendResult>> &results, const QString &error);
    void history(Connection *connection, const Protocol::Message &message);
    void typing(Connection *connection, const Protocol::Message &message);
    void editMessage(Connection *connection, const Protocol::Message &message);
    void deleteMessage(Connection *connection, const Protocol::Message &message);
    // The message `id` of this topic written by this connection's user, or an error reply.
    std::optional<StoredMessage> ownMessage(Connection *connection,
                                            const Protocol::Message &message);
    void noteActivity(const Connection &connection, const QString &topicName);
    void setTyping(Connection *connection, const QString &topicName, bool typing);
    void expireTyping();
    // A message in a dm: its users' connections that are in hub:lobby but not in the dm get a
    // direct_message push there, so a conversation someone else started reaches them.
    void notifyDirectMessage(const QString &topicName, const QJsonObject &message);

    ChannelContext m_context;
    QList<Pending> m_pending;
    bool m_commitScheduled = false;
    bool m_committing = false; // a transaction is under way on the store thread
    // The newest message id broadcast (every older one was, too): reads on the hub thread may
    // see newer ones that are committed and not yet broadcast.
    qint64 m_publishedUpTo = 0;
    QSet<qint64> m_deleting; // message ids whose delete is committing
    // (connection id, topic) -> when its typing flag expires (hub monotonic ms)
    QHash<QPair<quint64, QString>, qint64> m_typingUntil;
    QTimer m_typingTimer;
};

} // namespace Parley::Hub
