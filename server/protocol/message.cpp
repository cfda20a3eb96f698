#include "protocol/message.h"

#include "protocol/events.h"

namespace Parley::Protocol {

bool Message::isReply() const
{
    return event == Event::Reply;
}

QString Message::replyStatus() const
{
    return payload.toObject().value(QLatin1String("status")).toString();
}

QJsonObject Message::replyResponse() const
{
    return payload.toObject().value(QLatin1String("response")).toObject();
}

Message makeReply(const QJsonValue &joinRef, const QJsonValue &ref, const QString &topic,
                  const QString &status, const QJsonObject &response)
{
    QJsonObject payload { { QLatin1String("status"), status },
                          { QLatin1String("response"), response } };
    return Message { joinRef, ref, topic, Event::Reply, payload };
}

Message makePush(const QJsonValue &joinRef, const QString &topic, const QString &event,
                 const QJsonObject &payload)
{
    return Message { joinRef, QJsonValue::Null, topic, event, payload };
}

Message makeBroadcast(const QString &topic, const QString &event, const QJsonObject &payload)
{
    return Message { QJsonValue::Null, QJsonValue::Null, topic, event, payload };
}

QJsonObject errorResponse(const QString &reason, const QString &detail)
{
    QJsonObject response { { QLatin1String("reason"), reason } };
    if (!detail.isEmpty())
        response.insert(QLatin1String("detail"), detail);
    return response;
}

QString reasonOf(const QString &status, const QJsonObject &response)
{
    const QString reason = response.value(QLatin1String("reason")).toString();
    return reason.isEmpty() ? status : reason;
}

} // namespace Parley::Protocol
