#include "hub/historystore.h"

#include "protocol/codec.h"

#include <QJsonValue>

namespace Parley::Hub {

QJsonObject StoredMessage::toJson() const
{
    return QJsonObject {
        { QLatin1String("id"), QJsonValue(id) },
        { QLatin1String("room"), room },
        { QLatin1String("user_id"), userId },
        { QLatin1String("nick"), nick },
        { QLatin1String("body"), body },
        { QLatin1String("ts"), QJsonValue(ts) },
        { QLatin1String("client_id"),
          clientId.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(clientId) },
        { QLatin1String("edited_ts"),
          editedTs ? QJsonValue(*editedTs) : QJsonValue(QJsonValue::Null) },
        { QLatin1String("deleted"), deleted },
    };
}

QByteArray StoredMessage::toJsonBytes() const
{
    using Protocol::appendJsonString;
    QByteArray out;
    out.reserve(160 + room.size() + userId.size() + nick.size() + body.size() * 3 / 2
                + clientId.size());
    out.append("{\"id\":").append(QByteArray::number(id));
    out.append(",\"room\":");
    appendJsonString(out, room);
    out.append(",\"user_id\":");
    appendJsonString(out, userId);
    out.append(",\"nick\":");
    appendJsonString(out, nick);
    out.append(",\"body\":");
    appendJsonString(out, body);
    out.append(",\"ts\":").append(QByteArray::number(ts));
    out.append(",\"client_id\":");
    if (clientId.isEmpty())
        out.append("null");
    else
        appendJsonString(out, clientId);
    out.append(",\"edited_ts\":");
    out.append(editedTs ? QByteArray::number(*editedTs) : QByteArray("null"));
    out.append(",\"deleted\":").append(deleted ? "true" : "false");
    out.append('}');
    return out;
}

} // namespace Parley::Hub
