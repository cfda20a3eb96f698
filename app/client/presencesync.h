#pragma once

#include "client/presencemap.h"
#include "protocol/events.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace Parley::Client {

class PhoenixChannel;

// The event names PresenceSync listens to (phoenix.js opts.events).
struct PresenceEvents
{
    QString state = Protocol::Event::PresenceState;
    QString diff = Protocol::Event::PresenceDiff;
};

// A port of phoenix.js Presence (unchanged 1.8.12–1.8.16): the state of one topic's presence
// (key → {"metas": [...]}) kept in sync from presence_state and presence_diff. Diffs that arrive
// before the first state, or after a rejoin (the channel's join_ref changed) until the new
// state, are buffered and applied after it. The static functions are the pure algorithm.
// Either attached to a PhoenixChannel or fed by hand (applyState/applyDiff) with a join_ref
// provider. Owned by whoever creates it (e.g. ChatSession); same thread as the channel.
class PresenceSync : public QObject
{
    Q_OBJECT
public:
    // current is an empty object when the key was not present before (JS undefined).
    using JoinCallback = std::function<void(const QString &key, const QJsonObject &current,
                                            const QJsonObject &newPresence)>;
    using LeaveCallback = std::function<void(const QString &key, const QJsonObject &current,
                                             const QJsonObject &leftPresence)>;

    struct Diff
    {
        PresenceMap joins;
        PresenceMap leaves;
        static Diff fromJson(const QJsonObject &diff); // {"joins": {...}, "leaves": {...}}
    };

    // Listens to channel's messages; the channel may die first.
    explicit PresenceSync(PhoenixChannel *channel, QObject *parent = nullptr,
                          const PresenceEvents &events = PresenceEvents());
    // Detached: feed it with applyState()/applyDiff(); joinRef gives the "channel's" join_ref.
    explicit PresenceSync(std::function<QString()> joinRef, QObject *parent = nullptr);

    // phoenix.js Presence.syncState / syncDiff / list.
    static PresenceMap syncState(const PresenceMap &currentState, const PresenceMap &newState,
                                 const JoinCallback &onJoin = {},
                                 const LeaveCallback &onLeave = {});
    static PresenceMap syncDiff(const PresenceMap &state, const Diff &diff,
                                const JoinCallback &onJoin = {}, const LeaveCallback &onLeave = {});
    static QList<QJsonObject> list(const PresenceMap &presences);
    template<typename Chooser> static auto list(const PresenceMap &presences, Chooser chooser)
    {
        QList<decltype(chooser(QString(), QJsonObject()))> result;
        const QStringList keys = presences.keys();
        for (const QString &key : keys)
            result.append(chooser(key, presences.value(key)));
        return result;
    }

    const PresenceMap &state() const { return m_state; }
    QList<QJsonObject> list() const { return list(m_state); }
    template<typename Chooser> auto list(Chooser chooser) const { return list(m_state, chooser); }
    QString joinRef() const { return m_joinRef; } // join_ref of the last applied state
    bool inPendingSyncState() const;
    qsizetype pendingDiffCount() const { return m_pendingDiffs.size(); }

    void applyState(const QJsonObject &newState);
    void applyDiff(const QJsonObject &diff);

signals:
    // Emitted from inside each sync, in phoenix.js order (joins first, then leaves).
    void joined(const QString &key, const QJsonObject &current, const QJsonObject &newPresence);
    void left(const QString &key, const QJsonObject &current, const QJsonObject &leftPresence);
    void synced();

private:
    JoinCallback joinCallback();
    LeaveCallback leaveCallback();

    std::function<QString()> m_channelJoinRef;
    PresenceMap m_state;
    QList<Diff> m_pendingDiffs;
    QString m_joinRef;
};

} // namespace Parley::Client
