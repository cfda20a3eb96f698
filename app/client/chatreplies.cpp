#include "client/chatreplies.h"

#include <QJsonArray>

namespace Parley::Client {

QList<ChatMessage> messagesOf(const QJsonObject &response, const QString &topic)
{
    QList<ChatMessage> messages;
    const QJsonArray list = response.value(QLatin1String("messages")).toArray();
    messages.reserve(list.size());
    for (const QJsonValue &value : list) {
        const ChatMessage message = ChatMessage::fromJson(value.toObject(), topic);
        if (message.isValid())
            messages.append(message);
    }
    return messages;
}

} // namespace Parley::Client
