#include "client/chatmessage.h"

#include <QJsonValue>

#include <cmath>

namespace Parley::Client {

namespace {

// A JSON integer in 1 .. 2^53, else 0.
qint64 positiveInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return 0;
    const double d = value.toDouble();
    if (d < 1 || d > 9007199254740992.0 || std::floor(d) != d)
        return 0;
    return static_cast<qint64>(d);
}

} // namespace

ChatMessage ChatMessage::fromJson(const QJsonObject &message, const QString &topic)
{
    ChatMessage result;
    result.id = positiveInteger(message.value(QLatin1String("id")));
    result.topic = topic;
    result.userId = message.value(QLatin1String("user_id")).toString();
    result.nick = message.value(QLatin1String("nick")).toString();
    result.body = message.value(QLatin1String("body")).toString();
    result.ts = static_cast<qint64>(message.value(QLatin1String("ts")).toDouble());
    result.clientId = message.value(QLatin1String("client_id")).toString();
    const QJsonValue editedTs = message.value(QLatin1String("edited_ts"));
    result.edited = !(editedTs.isNull() || editedTs.isUndefined());
    result.deleted = message.value(QLatin1String("deleted")).toBool();
    if (result.deleted)
        result.body.clear();
    result.state = State::Sent;
    return result;
}

} // namespace Parley::Client
