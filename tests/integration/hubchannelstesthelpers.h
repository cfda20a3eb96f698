// Shared by the hub channel-layer tests (tst_hubchannels, tst_hublobby, tst_hubmessages): the
// users and topics they use and small readers for replies and payloads.
#pragma once

#include "protocol/events.h"
#include "protocol/topics.h"
#include "rawphoenixclient.h"
#include "testhub.h"
#include "testkeys.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <initializer_list>

namespace HubChannelsTest {

using Parley::Hub::HubSettings;
using Parley::Testing::RawPhoenixClient;
using Parley::Testing::TestHub;
using Message = Parley::Protocol::Message;

// The test users: fixed key pairs (TestKeys), so their user_ids are the same in every run.
inline const QString userA = Parley::Testing::TestKeys::userId(QStringLiteral("ana"));
inline const QString userB = Parley::Testing::TestKeys::userId(QStringLiteral("bob"));
inline const QString userC = Parley::Testing::TestKeys::userId(QStringLiteral("cy"));
inline const QString general = QStringLiteral("room:general");
inline const QString lobby = QStringLiteral("hub:lobby");
inline const QString dmAB = Parley::Protocol::dmTopic(userA, userB);

inline QString reasonOf(const Message &reply)
{
    return reply.replyResponse().value(QLatin1String("reason")).toString();
}

inline QSet<QString> keysOf(const QJsonObject &object)
{
    const QStringList keys = object.keys();
    return QSet<QString>(keys.cbegin(), keys.cend());
}

inline QSet<QString> setOf(std::initializer_list<const char *> names)
{
    QSet<QString> set;
    for (const char *name : names)
        set.insert(QString::fromLatin1(name));
    return set;
}

inline QStringList roomNames(const QJsonArray &rooms)
{
    QStringList names;
    for (const QJsonValue &room : rooms)
        names.append(room.toObject().value(QLatin1String("name")).toString());
    names.sort();
    return names;
}

inline RawPhoenixClient::Predicate newMsgWithBody(const QString &topic, const QString &body)
{
    return [topic, body](const Message &m) {
        return m.topic == topic && m.event == QLatin1String("new_msg")
            && m.payloadObject().value(QLatin1String("body")).toString() == body;
    };
}

} // namespace HubChannelsTest
