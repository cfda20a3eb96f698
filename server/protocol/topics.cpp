#include "protocol/topics.h"

#include "protocol/identity.h"

#include "protocol/events.h"

#include <QStringList>

#include <algorithm>

namespace Parley::Protocol {

namespace {

bool isIdChar(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
            || c == u'_' || c == u'-';
}

bool isIdentifier(const QString &text, int minLength, int maxLength)
{
    if (text.size() < minLength || text.size() > maxLength)
        return false;
    return std::all_of(text.cbegin(), text.cend(), isIdChar);
}

} // namespace

bool isValidRoomName(const QString &name)
{
    if (name.isEmpty() || name.size() > 40)
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name.at(i);
        const bool alnum = (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
        if (!alnum && (i == 0 || (c != u'_' && c != u'-')))
            return false;
    }
    return true;
}

bool isValidUserId(const QString &userId)
{
    return Identity::fromBase64Url(userId, Identity::userIdBytes).has_value();
}

bool isValidClientId(const QString &clientId)
{
    return isIdentifier(clientId, 8, 64);
}

namespace {
// constexpr: topics are built during static initialisation too (test fixtures' constants).
constexpr QLatin1String roomPrefix("room:", 5);
constexpr QLatin1String dmPrefix("dm:", 3);
} // namespace

QString roomTopic(const QString &name)
{
    return roomPrefix + name;
}

bool isRoomTopic(const QString &topic)
{
    return topic.startsWith(roomPrefix);
}

bool isDmTopic(const QString &topic)
{
    return topic.startsWith(dmPrefix);
}

bool isConversationTopic(const QString &topic)
{
    return isRoomTopic(topic) || isDmTopic(topic);
}

QString roomNameOf(const QString &topic)
{
    return isRoomTopic(topic) ? topic.mid(roomPrefix.size()) : QString();
}

QString dmTopic(const QString &userA, const QString &userB)
{
    return userA < userB ? dmPrefix + userA + u':' + userB : dmPrefix + userB + u':' + userA;
}

std::optional<Topic> parseTopic(const QString &topic)
{
    if (topic == LobbyTopic)
        return Topic { Topic::Lobby, {}, {}, {} };
    if (isRoomTopic(topic)) {
        const QString name = roomNameOf(topic);
        if (!isValidRoomName(name))
            return std::nullopt;
        return Topic { Topic::Room, name, {}, {} };
    }
    if (isDmTopic(topic)) {
        const QStringList parts = topic.mid(dmPrefix.size()).split(u':');
        if (parts.size() != 2 || !isValidUserId(parts[0]) || !isValidUserId(parts[1])
            || !(parts[0] < parts[1]))
            return std::nullopt;
        return Topic { Topic::Dm, {}, parts[0], parts[1] };
    }
    return std::nullopt;
}

} // namespace Parley::Protocol
