#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace Parley::Protocol {

// One Phoenix Channels v2 message: [join_ref, ref, topic, event, payload].
// A plain value type shared by the hub and the client. join_ref and ref are opaque: a string or
// null, echoed verbatim.
struct Message
{
    QJsonValue joinRef; // string or null
    QJsonValue ref; // string or null
    QString topic;
    QString event;
    QJsonValue payload; // any JSON from clients; always an object from the hub

    QJsonObject payloadObject() const { return payload.toObject(); }
    bool isReply() const;
    // For a phx_reply: "ok", "error", ... and the response object.
    QString replyStatus() const;
    QJsonObject replyResponse() const;

    friend bool operator==(const Message &, const Message &) = default;
};

// Builders for the shapes the hub and client send; see docs/protocol.md.
Message makeReply(const QJsonValue &joinRef, const QJsonValue &ref, const QString &topic,
                  const QString &status, const QJsonObject &response);
Message makePush(const QJsonValue &joinRef, const QString &topic, const QString &event,
                 const QJsonObject &payload);
Message makeBroadcast(const QString &topic, const QString &event, const QJsonObject &payload);
QJsonObject errorResponse(const QString &reason, const QString &detail = {});
// What an error reply says: its `reason`, or the reply's status ("timeout", "error") when it
// carries none. The inverse of errorResponse() for the side that reads replies.
QString reasonOf(const QString &status, const QJsonObject &response);

} // namespace Parley::Protocol
