#pragma once

#include <QHash>
#include <QSet>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

#include <map>
#include <optional>
#include <vector>

namespace Parley::Hub {

// Phoenix.Presence for one hub: per topic, key (user_id) -> metas, one meta per connection.
// A plain class with no sockets or timers, so it can be tested alone (and later replicated).
// Every change returns the presence_diff it caused ({"joins": {...}, "leaves": {...}}, both
// always present); the caller broadcasts it. Owned by the hub; lives on the hub thread and is
// not thread-safe.
//
// Costs: track/untrack/update/meta/keyOf are O(metas of that key); untrackAll is O(topics of that
// connection); list is O(size of the topic). Topics and connections with nothing tracked are
// dropped at once, so the tracker holds nothing for them.
class PresenceTracker
{
public:
    using ConnectionId = quint64;

    struct Diff
    {
        QJsonObject joins; // key -> {"metas": [...]}
        QJsonObject leaves;
        bool isEmpty() const { return joins.isEmpty() && leaves.isEmpty(); }
        QJsonObject toJson() const; // {"joins": ..., "leaves": ...}
        // This diff followed by `later`, as one diff a client applies the same way: a meta joined
        // here and left in `later` (by phx_ref) is in neither; every other join and leave stays.
        // An update keeps its leave (old ref) + join (new ref) shape.
        void absorb(const Diff &later);
        // This diff followed by `later`, with nothing cancelled: for changes on both sides of a
        // presence_state someone received (a meta joined before it and left after it must
        // reach that client as a leave).
        void append(const Diff &later);
    };

    // Adds the meta of `connection` under `key` in `topic` with a fresh unique phx_ref
    // (16 chars of URL-safe base64); any phx_ref / phx_ref_prev in `meta` is overwritten / dropped.
    // Tracking the same (topic, connection) twice replaces the old meta (as a leave + join in the
    // same diff; the key may differ). The new meta goes to the end of its key's list, as the
    // client's syncDiff puts it.
    Diff track(const QString &topic, ConnectionId connection, const QString &key, QJsonObject meta);
    // Removes that connection's meta from the topic; empty diff if it had none.
    Diff untrack(const QString &topic, ConnectionId connection);
    // Removes the connection from every topic; one diff per topic that changed.
    std::map<QString, Diff> untrackAll(ConnectionId connection);
    // Replaces the meta (fresh phx_ref, phx_ref_prev = old ref): one diff with the key in both
    // joins (new meta) and leaves (old meta). nullopt if the connection is not tracked there.
    // The meta keeps its position in list() (a client that applies the diff moves it to the end
    // of the key's metas instead; clients must not rely on meta order).
    std::optional<Diff> update(const QString &topic, ConnectionId connection, QJsonObject newMeta);

    QJsonObject list(const QString &topic) const; // the presence_state payload
    // The same payload as compact JSON, byte for byte what encoding list() gives. Each key's part
    // is cached and re-encoded only when that key changes, so a join into a big room costs a
    // copy of the room's state, not a rebuild and re-serialisation of it.
    QByteArray listJson(const QString &topic) const;
    int keyCount(const QString &topic) const; // distinct users in the topic
    bool hasKey(const QString &topic, const QString &key) const;
    // One key's part of list(): {"metas": [...]}; empty if the key is not in the topic.
    QJsonObject presenceOf(const QString &topic, const QString &key) const;
    QList<QString> topicsOf(ConnectionId connection) const; // sorted
    std::optional<QJsonObject> meta(const QString &topic, ConnectionId connection) const;
    QString keyOf(const QString &topic, ConnectionId connection) const; // empty if not tracked

private:
    struct Entry
    {
        ConnectionId connection;
        QJsonObject meta; // with phx_ref
    };
    struct Topic
    {
        QHash<QString, std::vector<Entry>> keys; // key -> metas in tracking order, never empty
        QHash<ConnectionId, QString> keyOfConnection;
        // listJson() cache: key -> "\"key\":{\"metas\":[...]}", ordered as QJsonObject orders keys.
        mutable std::map<QString, QByteArray> encoded;
        mutable QSet<QString> stale; // keys whose part must be encoded again
    };

    struct Taken
    {
        QString key;
        QJsonObject meta;
    };

    QString nextRef();
    // Removes the connection's entry from the topic (dropping an emptied key, not the topic);
    // nullopt if it had none.
    std::optional<Taken> take(Topic &topic, ConnectionId connection);
    void forgetTopicIfEmpty(const QString &topic);
    void forgetConnectionTopic(ConnectionId connection, const QString &topic);
    static QJsonObject metasOf(const QJsonObject &meta);

    QHash<QString, Topic> m_topics;
    QHash<ConnectionId, QSet<QString>> m_topicsOfConnection; // reverse index for untrackAll
    quint16 m_salt = makeSalt();
    quint16 m_counter = 0;
    qint64 m_lastTimestampNs = 0; // phx_ref timestamps strictly increase: refs are unique
    static quint16 makeSalt();
};

} // namespace Parley::Hub
