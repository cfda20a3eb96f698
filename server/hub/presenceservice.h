#pragma once

#include "hub/presencetracker.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>

namespace Parley::Hub {

class Connection;
class PubSub;

// Presence as the channels use it: the PresenceTracker plus the presence_diffs changes send to
// the topic's subscribers, and a signal when a room's member count changed (what the lobby's
// rooms_changed carries). Diffs are coalesced per topic (docs/protocol.md 6): a change in a
// quiet topic goes out at once and opens a window of `windowMs`; what changes inside it goes out
// as one merged diff when it closes (and opens the next window), so a storm of N joins costs
// each member a diff per window, not N. Owned by the Hub; hub thread only.
class PresenceService : public QObject
{
    Q_OBJECT
public:
    // windowMs 0: every change is its own diff, sent at once.
    PresenceService(PubSub &pubSub, int windowMs, QObject *parent = nullptr);

    // Tracks the connection's meta in `topic` and returns the diff, not yet sent: the hub sends
    // the joiner its presence_state first, then publish()es the diff.
    PresenceTracker::Diff track(const QString &topic, const Connection &connection, QJsonObject meta);
    void untrack(const QString &topic, const Connection &connection);
    // Changes this connection's meta in `topic`: one presence_diff (nothing if not tracked).
    void update(const Connection &connection, const QString &topic,
                const std::function<void(QJsonObject &meta)> &change);
    // Sends a diff to the topic's subscribers (nothing if it is empty), now or merged into the
    // topic's open window.
    void publish(const QString &topic, const PresenceTracker::Diff &diff);

    // The presence_state a joining client gets now. What changed in the topic's open window
    // before it is sealed: a later change can no longer cancel it out, so the window's diff
    // never contradicts this state.
    QByteArray stateFor(const QString &topic);
    int keyCount(const QString &topic) const { return m_tracker.keyCount(topic); }

signals:
    // A room's number of distinct users changed (not a status or typing update).
    void roomMembersChanged();

private:
    struct Window
    {
        qint64 closesAtMs = 0;
        PresenceTracker::Diff sealed; // changes before the last presence_state sent
        PresenceTracker::Diff pending; // changes since (join+leave pairs in it cancel out)
    };
    void send(const QString &topic, const PresenceTracker::Diff &diff);
    void closeWindows();
    void countMembers(const QString &topic);

    PubSub &m_pubSub;
    PresenceTracker m_tracker;
    int m_windowMs;
    QElapsedTimer m_clock;
    QHash<QString, Window> m_windows; // topics inside a window
    QTimer m_windowTimer;
    QHash<QString, int> m_memberCounts; // room topic -> members last announced
};

} // namespace Parley::Hub
