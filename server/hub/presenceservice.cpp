#include "hub/presenceservice.h"

#include "hub/connection.h"
#include "hub/pubsub.h"
#include "protocol/events.h"
#include "protocol/topics.h"

#include <QJsonDocument>

#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

namespace Parley::Hub {

PresenceService::PresenceService(PubSub &pubSub, int windowMs, Limits limits, QObject *parent)
    : QObject(parent)
    , m_pubSub(pubSub)
    , m_windowMs(windowMs)
    , m_limits(limits)
{
    m_clock.start();
    m_windowTimer.setSingleShot(true);
    connect(&m_windowTimer, &QTimer::timeout, this, &PresenceService::closeWindows);
    m_summaryTimer.setSingleShot(true);
    m_summaryTimer.setInterval(m_limits.summaryIntervalMs);
    connect(&m_summaryTimer, &QTimer::timeout, this, &PresenceService::sendSummaries);
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
    Bound &bound = m_bounds[topic];
    const PresenceTracker::Diff listed = follow(topic, bound, diff);
    const bool switched = rebound(topic, bound);
    const int users = m_tracker.keyCount(topic);
    if (users == 0) {
        m_bounds.remove(topic);
    } else if (bound.bounded && bound.summarisedUsers != users && !m_summaryTimer.isActive()) {
        m_summaryTimer.start();
    }
    if (!switched)
        queue(topic, listed);
}

void PresenceService::touch(const QString &topic, const Connection &connection)
{
    // Called for every message: a topic far from its limit costs one lookup. Activity decides
    // who is listed only once the topic is bounded; until it has half its limit, the order of
    // joins is enough to choose from.
    const auto it = m_bounds.find(topic);
    if (it == m_bounds.end() || (!it->bounded && it->lastActive.size() * 2 < limitOf(topic)))
        return;
    const auto active = it->lastActive.find(connection.userId());
    if (active == it->lastActive.end())
        return;
    *active = ++m_activity;
    const QString &key = active.key();
    if (!it->bounded || it->shown.contains(key))
        return;
    // Listed from now on; the least recently active listed user makes room.
    PresenceTracker::Diff diff;
    diff.joins.insert(key, m_tracker.presenceOf(topic, key));
    it->shown.insert(key);
    if (it->shown.size() > m_limits.shown) {
        const auto oldest
            = std::min_element(it->shown.cbegin(), it->shown.cend(),
                               [&bound = *it](const QString &a, const QString &b) {
                                   return bound.lastActive.value(a) < bound.lastActive.value(b);
                               });
        const QString evicted = *oldest;
        diff.leaves.insert(evicted, m_tracker.presenceOf(topic, evicted));
        it->shown.remove(evicted);
    }
    it->state.clear();
    queue(topic, diff);
}

PresenceTracker::Diff PresenceService::follow(const QString &topic, Bound &bound,
                                              const PresenceTracker::Diff &diff)
{
    PresenceTracker::Diff listed;
    for (auto it = diff.joins.constBegin(); it != diff.joins.constEnd(); ++it) {
        // Joining counts as activity while the topic lists everyone; in a bounded topic a
        // joiner is listed once it does something.
        if (!bound.lastActive.contains(it.key()))
            bound.lastActive.insert(it.key(), bound.bounded ? 0 : ++m_activity);
        if (!bound.bounded || bound.shown.contains(it.key()))
            listed.joins.insert(it.key(), it.value());
    }
    for (auto it = diff.leaves.constBegin(); it != diff.leaves.constEnd(); ++it) {
        if (!bound.bounded || bound.shown.contains(it.key()))
            listed.leaves.insert(it.key(), it.value());
        if (!m_tracker.hasKey(topic, it.key())) {
            bound.lastActive.remove(it.key());
            bound.shown.remove(it.key());
        }
    }
    if (!listed.isEmpty())
        bound.state.clear();
    return listed;
}

bool PresenceService::rebound(const QString &topic, Bound &bound)
{
    const int users = m_tracker.keyCount(topic);
    const int limit = limitOf(topic);
    if (!bound.bounded && users > limit) {
        bound.bounded = true;
        // The most recently active users are listed.
        std::vector<std::pair<quint64, QString>> recent;
        recent.reserve(size_t(bound.lastActive.size()));
        for (auto it = bound.lastActive.cbegin(); it != bound.lastActive.cend(); ++it)
            recent.emplace_back(it.value(), it.key());
        const size_t shown = std::min(recent.size(), size_t(std::max(0, m_limits.shown)));
        std::partial_sort(recent.begin(), recent.begin() + qsizetype(shown), recent.end(),
                          std::greater<>());
        bound.shown.clear();
        for (size_t i = 0; i < shown; ++i)
            bound.shown.insert(recent[i].second);
    } else if (bound.bounded && users <= limit * 4 / 5) {
        bound.bounded = false;
        bound.shown.clear();
    } else {
        return false;
    }
    // Every subscriber starts again from a fresh presence_state (phoenix.js's syncState turns it
    // into joins and leaves); what the topic's window held is in it.
    bound.state.clear();
    m_windows.remove(topic);
    m_pubSub.broadcastEncoded(topic, Protocol::Event::PresenceState, stateFor(topic));
    bound.summarisedUsers = users;
    m_pubSub.broadcast(topic, Protocol::Event::PresenceSummary, summaryOf(topic, bound));
    return true;
}

void PresenceService::queue(const QString &topic, const PresenceTracker::Diff &diff)
{
    if (diff.isEmpty())
        return;
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
    const auto bound = m_bounds.find(topic);
    if (bound == m_bounds.end() || !bound->bounded)
        return m_tracker.listJson(topic);
    if (bound->state.isEmpty()) {
        QJsonObject state;
        for (const QString &key : std::as_const(bound->shown))
            state.insert(key, m_tracker.presenceOf(topic, key));
        bound->state = QJsonDocument(state).toJson(QJsonDocument::Compact);
    }
    return bound->state;
}

std::optional<QJsonObject> PresenceService::summaryFor(const QString &topic) const
{
    const auto bound = m_bounds.constFind(topic);
    if (bound == m_bounds.constEnd() || !bound->bounded)
        return std::nullopt;
    return summaryOf(topic, *bound);
}

QJsonObject PresenceService::summaryOf(const QString &topic, const Bound &bound) const
{
    const int users = m_tracker.keyCount(topic);
    return { { QLatin1String("users"), users },
             { QLatin1String("listed"), bound.bounded ? int(bound.shown.size()) : users },
             { QLatin1String("limited"), bound.bounded } };
}

void PresenceService::sendSummaries()
{
    // Counts of bounded topics, at most once per interval each.
    for (auto it = m_bounds.begin(); it != m_bounds.end(); ++it) {
        const int users = m_tracker.keyCount(it.key());
        if (!it->bounded || it->summarisedUsers == users)
            continue;
        it->summarisedUsers = users;
        m_pubSub.broadcast(it.key(), Protocol::Event::PresenceSummary, summaryOf(it.key(), *it));
    }
}

int PresenceService::limitOf(const QString &topic) const
{
    return topic == Protocol::LobbyTopic ? m_limits.lobby : m_limits.room;
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
