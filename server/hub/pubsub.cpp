#include "hub/pubsub.h"

#include "hub/connection.h"
#include "hub/wsprotocol.h"
#include "protocol/codec.h"

namespace Parley::Hub {

void PubSub::subscribe(const QString &topic, Connection *connection)
{
    m_topics[topic].insert(connection);
}

void PubSub::unsubscribe(const QString &topic, Connection *connection)
{
    auto it = m_topics.find(topic);
    if (it == m_topics.end())
        return;
    it->remove(connection);
    if (it->isEmpty())
        m_topics.erase(it);
}

int PubSub::broadcast(const QString &topic, const QString &event, const QJsonObject &payload,
                      const Connection *except) const
{
    const QSet<Connection *> &to = subscribers(topic);
    if (to.isEmpty())
        return 0; // nobody to encode for
    return deliver(to, Ws::textFrame(Protocol::encode(Protocol::makeBroadcast(topic, event, payload))),
                   except);
}

int PubSub::broadcastEncoded(const QString &topic, const QString &event,
                             QByteArrayView payloadJson, const Connection *except) const
{
    const QSet<Connection *> &to = subscribers(topic);
    if (to.isEmpty())
        return 0;
    return deliver(to,
                   Ws::textFrame(Protocol::encode(Protocol::makeBroadcast(topic, event, {}), payloadJson)),
                   except);
}

int PubSub::deliver(const QSet<Connection *> &to, const QByteArray &frame, const Connection *except)
{
    int deliveries = 0;
    for (Connection *connection : to) {
        if (connection == except)
            continue;
        connection->sendFrame(frame);
        ++deliveries;
    }
    return deliveries;
}

int PubSub::subscriberCount(const QString &topic) const
{
    const auto it = m_topics.constFind(topic);
    return it == m_topics.cend() ? 0 : int(it->size());
}

const QSet<Connection *> &PubSub::subscribers(const QString &topic) const
{
    static const QSet<Connection *> none;
    const auto it = m_topics.constFind(topic);
    return it == m_topics.cend() ? none : *it;
}

} // namespace Parley::Hub
