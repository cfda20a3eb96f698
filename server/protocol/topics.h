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
bool isValidUserId(const QString &userId); // 8-64 of [A-Za-z0-9_-]
bool isValidClientId(const QString &clientId); // same grammar as user ids
QString roomTopic(const QString &name);
QString dmTopic(const QString &userA, const QString &userB); // sorts the two ids

} // namespace Parley::Protocol
