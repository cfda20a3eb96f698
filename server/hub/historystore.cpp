#include "hub/historystore.h"

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

} // namespace Parley::Hub
