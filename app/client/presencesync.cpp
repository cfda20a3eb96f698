#include "client/presencesync.h"

#include "client/phoenixchannel.h"

#include <QJsonArray>
#include <QJsonValue>

namespace Parley::Client {

namespace {

const QLatin1String MetasKey("metas");
const QLatin1String PhxRefKey("phx_ref");

QJsonArray metasOf(const QJsonObject &presence)
{
    return presence.value(MetasKey).toArray();
}

QList<QJsonValue> refsOf(const QJsonArray &metas)
{
    QList<QJsonValue> refs;
    refs.reserve(metas.size());
    for (const QJsonValue &meta : metas)
        refs.append(meta.toObject().value(PhxRefKey));
    return refs;
}

// The metas whose phx_ref is not in refs, in their order.
QJsonArray metasNotIn(const QJsonArray &metas, const QList<QJsonValue> &refs)
{
    QJsonArray result;
    for (const QJsonValue &meta : metas) {
        if (!refs.contains(meta.toObject().value(PhxRefKey)))
            result.append(meta);
    }
    return result;
}

} // namespace

PresenceSync::Diff PresenceSync::Diff::fromJson(const QJsonObject &diff)
{
    return Diff { PresenceMap::fromJson(diff.value(QLatin1String("joins")).toObject()),
                  PresenceMap::fromJson(diff.value(QLatin1String("leaves")).toObject()) };
}

PresenceSync::PresenceSync(PhoenixChannel *channel, QObject *parent, const PresenceEvents &events)
    : QObject(parent)
{
    QPointer<PhoenixChannel> guard(channel);
    m_channelJoinRef = [guard] { return guard ? guard->joinRef() : QString(); };
    connect(channel, &PhoenixChannel::messageReceived, this,
            [this, events](const QString &event, const QJsonObject &payload) {
                if (event == events.state)
                    applyState(payload);
                else if (event == events.diff)
                    applyDiff(payload);
            });
}

PresenceSync::PresenceSync(std::function<QString()> joinRef, QObject *parent)
    : QObject(parent)
    , m_channelJoinRef(std::move(joinRef))
{
}

PresenceMap PresenceSync::syncState(const PresenceMap &currentState, const PresenceMap &newState,
                                    const JoinCallback &onJoin, const LeaveCallback &onLeave)
{
    const PresenceMap &state = currentState;
    Diff diff;

    const QStringList currentKeys = state.keys();
    for (const QString &key : currentKeys) {
        if (!newState.contains(key))
            diff.leaves.insert(key, state.value(key));
    }
    const QStringList newKeys = newState.keys();
    for (const QString &key : newKeys) {
        const QJsonObject newPresence = newState.value(key);
        if (!state.contains(key)) {
            diff.joins.insert(key, newPresence);
            continue;
        }
        const QJsonObject currentPresence = state.value(key);
        const QJsonArray newMetas = metasOf(newPresence);
        const QJsonArray currentMetas = metasOf(currentPresence);
        const QJsonArray joinedMetas = metasNotIn(newMetas, refsOf(currentMetas));
        const QJsonArray leftMetas = metasNotIn(currentMetas, refsOf(newMetas));
        if (!joinedMetas.isEmpty()) {
            QJsonObject joined = newPresence;
            joined.insert(MetasKey, joinedMetas);
            diff.joins.insert(key, joined);
        }
        if (!leftMetas.isEmpty()) {
            QJsonObject left = currentPresence;
            left.insert(MetasKey, leftMetas);
            diff.leaves.insert(key, left);
        }
    }
    return syncDiff(state, diff, onJoin, onLeave);
}

PresenceMap PresenceSync::syncDiff(const PresenceMap &currentState, const Diff &diff,
                                   const JoinCallback &onJoin, const LeaveCallback &onLeave)
{
    PresenceMap state = currentState;

    const QStringList joinKeys = diff.joins.keys();
    for (const QString &key : joinKeys) {
        const QJsonObject newPresence = diff.joins.value(key);
        const bool existed = state.contains(key);
        const QJsonObject currentPresence = state.value(key);
        QJsonObject merged = newPresence;
        if (existed) {
            // Metas still present that were not re-joined stay in front of the joined ones.
            const QJsonArray joinedMetas = metasOf(newPresence);
            QJsonArray metas = metasNotIn(metasOf(currentPresence), refsOf(joinedMetas));
            for (const QJsonValue &meta : joinedMetas)
                metas.append(meta);
            merged.insert(MetasKey, metas);
        }
        state.insert(key, merged);
        // As phoenix.js 1.8.16 (checked by tst_presencedifferential): onJoin gets the joined
        // presence from the diff, not the merged entry now in the state.
        if (onJoin)
            onJoin(key, existed ? currentPresence : QJsonObject(), newPresence);
    }

    const QStringList leaveKeys = diff.leaves.keys();
    for (const QString &key : leaveKeys) {
        if (!state.contains(key))
            continue; // a leave for an unknown key is ignored
        const QJsonObject leftPresence = diff.leaves.value(key);
        QJsonObject currentPresence = state.value(key);
        const QJsonArray metas
            = metasNotIn(metasOf(currentPresence), refsOf(metasOf(leftPresence)));
        currentPresence.insert(MetasKey, metas);
        state.insert(key, currentPresence);
        if (onLeave)
            onLeave(key, currentPresence, leftPresence);
        if (metas.isEmpty())
            state.remove(key);
    }
    return state;
}

QList<QJsonObject> PresenceSync::list(const PresenceMap &presences)
{
    return list(presences, [](const QString &, const QJsonObject &presence) { return presence; });
}

bool PresenceSync::inPendingSyncState() const
{
    return m_joinRef.isEmpty() || m_joinRef != m_channelJoinRef();
}

void PresenceSync::applyState(const QJsonObject &newState)
{
    m_joinRef = m_channelJoinRef();
    m_state = syncState(m_state, PresenceMap::fromJson(newState), joinCallback(), leaveCallback());
    const QList<Diff> pending = std::exchange(m_pendingDiffs, {});
    for (const Diff &diff : pending)
        m_state = syncDiff(m_state, diff, joinCallback(), leaveCallback());
    emit synced();
}

void PresenceSync::applyDiff(const QJsonObject &diff)
{
    if (inPendingSyncState()) {
        m_pendingDiffs.append(Diff::fromJson(diff));
        return;
    }
    m_state = syncDiff(m_state, Diff::fromJson(diff), joinCallback(), leaveCallback());
    emit synced();
}

PresenceSync::JoinCallback PresenceSync::joinCallback()
{
    return [this](const QString &key, const QJsonObject &current, const QJsonObject &newPresence) {
        emit joined(key, current, newPresence);
    };
}

PresenceSync::LeaveCallback PresenceSync::leaveCallback()
{
    return [this](const QString &key, const QJsonObject &current, const QJsonObject &leftPresence) {
        emit left(key, current, leftPresence);
    };
}

} // namespace Parley::Client
