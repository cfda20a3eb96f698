#pragma once

#include "hub/presencetracker.h"

#include <QHash>
#include <QObject>

#include <functional>

namespace Parley::Hub {

class Connection;
class PubSub;

// Presence as the channels use it: the PresenceTracker plus the presence_diff each change sends
// to the topic's subscribers, and a signal when a room's member count changed (what the lobby's
// rooms_changed carries). Owned by the Hub; hub thread only.
class PresenceService : public QObject
{
    Q_OBJECT
public:
    explicit PresenceService(PubSub &pubSub, QObject *parent = nullptr);

    // Tracks the connection's meta in `topic` and returns the diff, not yet sent: the hub sends
    // the joiner its presence_state first, then publish()es the diff.
    PresenceTracker::Diff track(const QString &topic, const Connection &connection, QJsonObject meta);
    void untrack(const QString &topic, const Connection &connection);
    // Changes this connection's meta in `topic`: one presence_diff (nothing if not tracked).
    void update(const Connection &connection, const QString &topic,
                const std::function<void(QJsonObject &meta)> &change);
    // Sends a diff to the topic's subscribers (nothing if it is empty).
    void publish(const QString &topic, const PresenceTracker::Diff &diff);

    QByteArray listJson(const QString &topic) const { return m_tracker.listJson(topic); }
    int keyCount(const QString &topic) const { return m_tracker.keyCount(topic); }

signals:
    // A room's number of distinct users changed (not a status or typing update).
    void roomMembersChanged();

private:
    PubSub &m_pubSub;
    PresenceTracker m_tracker;
    QHash<QString, int> m_memberCounts; // room topic -> members last announced
};

} // namespace Parley::Hub
