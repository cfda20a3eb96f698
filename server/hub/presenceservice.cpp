#include "hub/presenceservice.h"

#include "hub/connection.h"
#include "hub/pubsub.h"
#include "protocol/events.h"
#include "protocol/topics.h"

#include <algorithm>
#include <utility>

namespace Parley::Hub {

PresenceService::PresenceService(PubSub &pubSub, int windowMs, QObject *parent)
    : QObject(parent), m_pubSub(pubSub), m_windowMs(windowMs)
{
    m_clock.start();
    m_windowTimer.setSingleShot(true);
    connect(&m_windowTimer, &QTimer::timeout, this, &PresenceService::closeWindows);
}

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
    // Member counts follow the tracker at once; only the diffs wait for their window.
    countMembers(topic);
    if (m_windowMs <= 0)
        return send(topic, diff);
    if (const auto open = m_windows.find(topic); open != m_windows.end())
        return open->pending.absorb(diff);
    send(topic, diff); // a quiet topic: at once
    m_windows.insert(topic, Window { m_clock.elapsed() + m_windowMs, {}, {} });
    if (!m_windowTimer.isActive())
        m_windowTimer.start(m_windowMs);
}

QByteArray PresenceService::stateFor(const QString &topic)
{
    if (const auto open = m_windows.find(topic); open != m_windows.end())
        open->sealed.append(std::exchange(open->pending, {}));
    return m_tracker.listJson(topic);
}

void PresenceService::send(const QString &topic, const PresenceTracker::Diff &diff)
{
    m_pubSub.broadcast(topic, Protocol::Event::PresenceDiff, diff.toJson());
}

void PresenceService::closeWindows()
{
    const qint64 now = m_clock.elapsed();
    qint64 nextClose = -1;
    for (auto it = m_windows.begin(); it != m_windows.end();) {
        if (it->closesAtMs > now) {
            nextClose = nextClose < 0 ? it->closesAtMs : std::min(nextClose, it->closesAtMs);
            ++it;
            continue;
        }
        it->sealed.append(std::exchange(it->pending, {}));
        if (it->sealed.isEmpty()) {
            it = m_windows.erase(it); // quiet again
            continue;
        }
        // Changes kept coming: one diff for the window, and the next window opens.
        send(it.key(), std::exchange(it->sealed, {}));
        it->closesAtMs = now + m_windowMs;
        nextClose = nextClose < 0 ? it->closesAtMs : std::min(nextClose, it->closesAtMs);
        ++it;
    }
    if (nextClose >= 0)
        m_windowTimer.start(int(std::max<qint64>(1, nextClose - now)));
}

void PresenceService::countMembers(const QString &topic)
{
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
