#pragma once

#include "client/chatmessage.h"
#include "protocol/message.h"

#include <QJsonObject>
#include <QList>
#include <QString>

// Reading the hub's reply payloads (docs/protocol.md), shared by the parts of ChatSession.
namespace Parley::Client {

using Protocol::reasonOf; // the error reason of a reply, or its status ("timeout")
// The valid MESSAGEs of a join or history reply, oldest first.
QList<ChatMessage> messagesOf(const QJsonObject &response, const QString &topic);

} // namespace Parley::Client
