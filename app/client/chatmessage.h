#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace Parley::Client {

// One chat message as the client shows it: a MESSAGE of PROTOCOL.md plus the topic it belongs to
// and the local delivery state of our own messages. A plain value type.
struct ChatMessage
{
    enum class State { Pending, Sent, Failed };

    qint64 id = 0; // 0 while pending
    QString topic; // "room:general" or "dm:A:B"
    QString userId;
    QString nick;
    QString body;
    qint64 ts = 0; // ms since the Unix epoch, the hub's clock
    QString clientId;
    bool edited = false;
    bool deleted = false;
    State state = State::Sent;

    // A MESSAGE object of the hub; a missing or malformed id gives id 0 (check isValid()).
    static ChatMessage fromJson(const QJsonObject &message, const QString &topic);
    bool isValid() const { return id > 0; }

    friend bool operator==(const ChatMessage &, const ChatMessage &) = default;
};

} // namespace Parley::Client

Q_DECLARE_METATYPE(Parley::Client::ChatMessage)
