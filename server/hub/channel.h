#pragma once

#include "protocol/message.h"
#include "protocol/topics.h"

#include <QJsonObject>

namespace Parley::Hub {

class Connection;

// What the hub asks of a kind of topic (lobby, rooms and dms). One object serves every topic of
// its kind; per-connection state stays in Connection and in the PresenceTracker. The Hub does
// the Phoenix bookkeeping (join_refs, replies to joins, phx_close, presence tracking); a
// Channel decides joins and handles the topic's events. Hub thread only.
class Channel
{
public:
    struct JoinResult
    {
        bool ok = false;
        QJsonObject response; // the ok response, or {"reason", "detail"?}
    };

    virtual ~Channel() = default;

    virtual JoinResult join(Connection *connection, const Protocol::Topic &topic,
                            const QString &topicName, const QJsonObject &params) = 0;
    // After the ok reply was sent and the connection subscribed.
    virtual void afterJoin(Connection *connection, const QString &topicName) { Q_UNUSED(connection) Q_UNUSED(topicName) }
    // An event on a topic the connection has joined (join_ref already checked).
    virtual void handleIn(Connection *connection, const Protocol::Message &message) = 0;
    // The connection left the topic (leave, duplicate join, disconnect). Presence is already
    // untracked by the hub.
    virtual void left(Connection *connection, const QString &topicName) { Q_UNUSED(connection) Q_UNUSED(topicName) }
};

} // namespace Parley::Hub
