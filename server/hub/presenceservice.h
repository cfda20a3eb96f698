#pragma once

#include "hub/presencetracker.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>
#include <optional>

namespace Parley::Hub {

class Connection;
class PubSub;

// Presence as the channels use it: the PresenceTracker plus the presence_diffs changes send to
// the topic's subscribers, and a signal when a room's member count changed (what the lobby's
// rooms_changed carries).
//
// Diffs are coalesced per topic (docs/protocol.md 6, "Diffs are coalesced"): a change in a quiet
// topic goes out at once and opens a window of `windowMs`; what changes inside it goes out as one
// merged diff when it closes (and opens the next window), so a storm of N joins costs each member a
// diff per window, not N.
//
// Big topics are bounded (docs/protocol.md 6, "bounded presence"): a topic with more users than its
// limit lists only its `shown` most recently active users, the same for every subscriber, and says
// how many there are in presence_summary; joins and leaves of users not listed send nothing. Below
// 80 % of the limit it lists everyone again. Owned by the Hub; hub thread only.
class PresenceService : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        int lobby = 500; // users hub:lobby lists in full
        int room = 1500; // users a room (or dm) lists in full
        int shown = 50; // users a topic above its limit lists
        int summaryIntervalMs = 500; // presence_summary count updates: at most one per interval
    };

    // windowMs 0: every change is its own diff, sent at once.
    PresenceService(PubSub &pubSub, int windowMs, Limits limits, QObject *parent = nullptr);

    // Tracks the connection's meta in `topic` and returns the diff, not yet sent: the hub sends
    // the joiner its presence_state first, then publish()es the diff.
    PresenceTracker::Diff track(const QString &topic, const Connection &connection, QJsonObject meta);
    void untrack(const QString &topic, const Connection &connection);
    // Changes this connection's meta in `topic`: one presence_diff (nothing if not tracked).
    void update(const Connection &connection, const QString &topic,
                const std::function<void(QJsonObject &meta)> &change);
    // Sends a diff to the topic's subscribers (nothing if it is empty), now or merged into the
    // topic's open window; in a bounded topic, only what concerns the users it lists.
    void publish(const QString &topic, const PresenceTracker::Diff &diff);
    // The connection's user did something in `topic` (posted, typed, changed status): the most
    // recently active users are the ones a bounded topic lists, so it is listed from now on.
    void touch(const QString &topic, const Connection &connection);

    // The presence_state a joining client gets now. What changed in the topic's open window
    // before it is sealed: a later change can no longer cancel it out, so the window's diff
    // never contradicts this state.
    QByteArray stateFor(const QString &topic);
    // The presence_summary that follows it in a bounded topic; nullopt while it lists everyone.
    std::optional<QJsonObject> summaryFor(const QString &topic) const;
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
    struct Bound
    {
        QHash<QString, quint64> lastActive; // every user in the topic -> activity sequence
        bool bounded = false;
        QSet<QString> shown; // bounded: the users listed
        QByteArray state; // bounded: presence_state of the shown users (cache; empty: stale)
        int summarisedUsers = -1; // users in the last presence_summary sent
    };
    void queue(const QString &topic, const PresenceTracker::Diff &diff);
    void send(const QString &topic, const PresenceTracker::Diff &diff);
    void closeWindows();
    void countMembers(const QString &topic);
    int limitOf(const QString &topic) const;
    // Follows the diff's keys in `bound`; returns what of it the subscribers get.
    PresenceTracker::Diff follow(const QString &topic, Bound &bound,
                                 const PresenceTracker::Diff &diff);
    // Switches between listing everyone and listing the shown users when the count crossed a
    // threshold: every subscriber gets a fresh presence_state. True if it switched.
    bool rebound(const QString &topic, Bound &bound);
    QJsonObject summaryOf(const QString &topic, const Bound &bound) const;
    void sendSummaries();

    PubSub &m_pubSub;
    PresenceTracker m_tracker;
    int m_windowMs;
    Limits m_limits;
    QElapsedTimer m_clock;
    QHash<QString, Window> m_windows; // topics inside a window
    QTimer m_windowTimer;
    QHash<QString, int> m_memberCounts; // room topic -> members last announced
    QHash<QString, Bound> m_bounds; // every tracked topic
    quint64 m_activity = 0;
    QTimer m_summaryTimer;
};

} // namespace Parley::Hub
