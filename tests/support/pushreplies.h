#pragma once

#include "client/phoenixchannel.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace Parley::Testing {

// Collects the outcomes of PhoenixChannel pushes ("ok", "error", "timeout" and the response) for
// the client tests. Header-only: the test support library itself does not link the client.
struct PushReplies
{
    QStringList statuses;
    QList<QJsonObject> responses;
    Client::PhoenixChannel::ReplyCallback callback()
    {
        return [this](const QString &status, const QJsonObject &response) {
            statuses << status;
            responses << response;
        };
    }
};

} // namespace Parley::Testing
