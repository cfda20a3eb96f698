#pragma once

#include <QString>

#include <optional>

namespace Parley::Protocol {

// The topic grammar of docs/protocol.md: hub:lobby, room:NAME, dm:A:B.
struct Topic
{
    enum Kind { Lobby, Room, Dm };
    Kind kind = Lobby;
    QString name; // room name for Room; empty otherwise
    QString userA; // dm: the smaller user id
    QString userB; // dm: the larger user id

    bool isMember(const QString &userId) const { return userId == userA || userId == userB; }
};

// Parses a topic; nullopt for anything the hub does not route ("unmatched topic").
std::optional<Topic> parseTopic(const QString &topic);

bool isValidRoomName(const QString &name); // 1-40 of [a-z0-9_-], first a letter or digit
// A user_id's form: 22 characters of base64url, the canonical encoding of 16 bytes (docs/protocol.md,
// "Identity"). Whether a key stands behind it is the signed connect's business.
bool isValidUserId(const QString &userId);
bool isValidClientId(const QString &clientId); // 8-64 of [A-Za-z0-9_-]
QString roomTopic(const QString &name);
// Cheap prefix checks of a topic already routed (no validation: parseTopic() does that).
bool isRoomTopic(const QString &topic); // room:…
bool isDmTopic(const QString &topic); // dm:…
bool isConversationTopic(const QString &topic); // a room or a dm: what carries messages
// The room's name of room:NAME; empty for any other topic.
QString roomNameOf(const QString &topic);
QString dmTopic(const QString &userA, const QString &userB); // sorts the two ids

} // namespace Parley::Protocol
