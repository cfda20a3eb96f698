#pragma once

#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QString>

namespace Parley::Hub {

class Connection;

// Topic -> subscribed connections. A broadcast is JSON-encoded and WebSocket-framed once; the
// same bytes are written to every subscriber. Owned by the Hub; hub thread only.
class PubSub
{
public:
    void subscribe(const QString &topic, Connection *connection);
    void unsubscribe(const QString &topic, Connection *connection);
    // [null, null, topic, event, payload] to every subscriber except `except`.
    // Returns the number of deliveries.
    int broadcast(const QString &topic, const QString &event, const QJsonObject &payload,
                  const Connection *except = nullptr) const;
    // The same with a payload that is already compact JSON.
    int broadcastEncoded(const QString &topic, const QString &event, QByteArrayView payloadJson,
                         const Connection *except = nullptr) const;
    int subscriberCount(const QString &topic) const;
    const QSet<Connection *> &subscribers(const QString &topic) const;

private:
    static int deliver(const QSet<Connection *> &to, const QByteArray &frame,
                       const Connection *except);

    QHash<QString, QSet<Connection *>> m_topics;
};

} // namespace Parley::Hub
