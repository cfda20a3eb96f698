#include "hub/presenceservice.h"

#include "hub/connection.h"
#include "hub/pubsub.h"
#include "protocol/events.h"
#include "protocol/topics.h"

namespace Parley::Hub {

PresenceService::PresenceService(PubSub &pubSub, QObject *parent) : QObject(parent), m_pubSub(pubSub) { }

PresenceTracker::Diff PresenceService::track(const QString &topic, const Connection &connection, QJsonObject meta)
{
    return m_tracker.track(topic, connection.id(), connection.userId(), std::move(meta));
}

void PresenceService::untrack(const QString &topic, const Connection &connection)
{
    publish(topic, m_tracker.untrack(topic, connection.id()));
}

void PresenceService::update(const Connection &connection, const QString &topic,
                             const std::function<void(QJsonObject &meta)> &change)
{
    std::optional<QJsonObject> meta = m_tracker.meta(topic, connection.id());
    if (!meta)
        return;
    meta->remove(QLatin1String("phx_ref"));
    meta->remove(QLatin1String("phx_ref_prev"));
    change(*meta);
    if (const auto diff = m_tracker.update(topic, connection.id(), *meta))
        publish(topic, *diff);
}

void PresenceService::publish(const QString &topic, const PresenceTracker::Diff &diff)
{
    if (diff.isEmpty())
        return;
    m_pubSub.broadcast(topic, Protocol::Event::PresenceDiff, diff.toJson());
    if (!Protocol::isRoomTopic(topic))
        return;
    // rooms_changed carries member counts: a status or typing update does not change them.
    const int members = m_tracker.keyCount(topic);
    int &known = m_memberCounts[topic];
    if (members == known)
        return;
    known = members;
    if (members == 0)
        m_memberCounts.remove(topic);
    emit roomMembersChanged();
}

} // namespace Parley::Hub
