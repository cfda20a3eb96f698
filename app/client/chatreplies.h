#pragma once

#include "client/chatmessage.h"

#include <QJsonObject>
#include <QList>
#include <QString>

// Reading the hub's reply payloads (docs/protocol.md), shared by the parts of ChatSession.
namespace Parley::Client {

// The error reason of a reply, or its status ("timeout") when it carries none.
QString reasonOf(const QString &status, const QJsonObject &response);
// The valid MESSAGEs of a join or history reply, oldest first.
QList<ChatMessage> messagesOf(const QJsonObject &response, const QString &topic);

} // namespace Parley::Client
