#include "hub/presencetracker.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QtEndian>

#include <algorithm>
#include <chrono>

namespace Parley::Hub {

namespace {

const QString kMetas = QStringLiteral("metas");
const QString kPhxRef = QStringLiteral("phx_ref");
const QString kPhxRefPrev = QStringLiteral("phx_ref_prev");

} // namespace

QJsonObject PresenceTracker::Diff::toJson() const
{
    return QJsonObject { { QStringLiteral("joins"), joins }, { QStringLiteral("leaves"), leaves } };
}

namespace {

// Removes the meta with this phx_ref from key's metas in `side`; true if it was there.
bool removeMeta(QJsonObject &side, const QString &key, const QJsonValue &ref)
{
    const auto entry = side.find(key);
    if (entry == side.end())
        return false;
    QJsonArray metas = entry->toObject().value(kMetas).toArray();
    for (qsizetype i = 0; i < metas.size(); ++i) {
        if (metas.at(i).toObject().value(kPhxRef) == ref) {
            metas.removeAt(i);
            if (metas.isEmpty())
                side.erase(entry);
            else
                *entry = QJsonObject { { kMetas, metas } };
            return true;
        }
    }
    return false;
}

void appendMetas(QJsonObject &side, const QString &key, const QJsonArray &more)
{
    QJsonArray metas = side.value(key).toObject().value(kMetas).toArray();
    for (const QJsonValue &meta : more)
        metas.append(meta);
    side.insert(key, QJsonObject { { kMetas, metas } });
}

} // namespace

void PresenceTracker::Diff::absorb(const Diff &later)
{
    for (auto it = later.leaves.begin(); it != later.leaves.end(); ++it) {
        QJsonArray stillLeaving;
        for (const QJsonValue &meta : it->toObject().value(kMetas).toArray()) {
            // Joined and left inside one diff: nobody needs to hear of it.
            if (!removeMeta(joins, it.key(), meta.toObject().value(kPhxRef)))
                stillLeaving.append(meta);
        }
        if (!stillLeaving.isEmpty())
            appendMetas(leaves, it.key(), stillLeaving);
    }
    for (auto it = later.joins.begin(); it != later.joins.end(); ++it)
        appendMetas(joins, it.key(), it->toObject().value(kMetas).toArray());
}

void PresenceTracker::Diff::append(const Diff &later)
{
    for (auto it = later.leaves.begin(); it != later.leaves.end(); ++it)
        appendMetas(leaves, it.key(), it->toObject().value(kMetas).toArray());
    for (auto it = later.joins.begin(); it != later.joins.end(); ++it)
        appendMetas(joins, it.key(), it->toObject().value(kMetas).toArray());
}

PresenceTracker::Diff PresenceTracker::track(const QString &topic, ConnectionId connection,
                                             const QString &key, QJsonObject meta)
{
    Diff diff;
    Topic &t = m_topics[topic];
    // The leave and the join share the diff; a client applies joins first, so a key tracked
    // again under the same name never flickers out.
    if (const auto old = take(t, connection))
        diff.leaves.insert(old->key, metasOf(old->meta));
    meta.remove(kPhxRefPrev);
    meta.insert(kPhxRef, nextRef());
    t.keys[key].push_back(Entry { connection, meta });
    t.stale.insert(key);
    t.keyOfConnection.insert(connection, key);
    m_topicsOfConnection[connection].insert(topic);
    diff.joins.insert(key, metasOf(meta));
    return diff;
}

PresenceTracker::Diff PresenceTracker::untrack(const QString &topic, ConnectionId connection)
{
    Diff diff;
    const auto it = m_topics.find(topic);
    if (it == m_topics.end())
        return diff;
    if (const auto old = take(*it, connection)) {
        diff.leaves.insert(old->key, metasOf(old->meta));
        forgetConnectionTopic(connection, topic);
        forgetTopicIfEmpty(topic);
    }
    return diff;
}

std::map<QString, PresenceTracker::Diff> PresenceTracker::untrackAll(ConnectionId connection)
{
    std::map<QString, Diff> diffs;
    const QSet<QString> topics = m_topicsOfConnection.take(connection);
    for (const QString &topic : topics) {
        const auto it = m_topics.find(topic);
        Q_ASSERT(it != m_topics.end());
        const auto old = take(*it, connection);
        Q_ASSERT(old);
        Diff diff;
        diff.leaves.insert(old->key, metasOf(old->meta));
        diffs.emplace(topic, std::move(diff));
        forgetTopicIfEmpty(topic);
    }
    return diffs;
}

std::optional<PresenceTracker::Diff>
PresenceTracker::update(const QString &topic, ConnectionId connection, QJsonObject newMeta)
{
    const auto topicIt = m_topics.find(topic);
    if (topicIt == m_topics.end())
        return std::nullopt;
    const auto keyIt = topicIt->keyOfConnection.constFind(connection);
    if (keyIt == topicIt->keyOfConnection.constEnd())
        return std::nullopt;
    const QString key = *keyIt;
    const auto entriesIt = topicIt->keys.find(key);
    Q_ASSERT(entriesIt != topicIt->keys.end());
    std::vector<Entry> &entries = *entriesIt;
    const auto entry = std::find_if(entries.begin(), entries.end(), [connection](const Entry &e) {
        return e.connection == connection;
    });
    Q_ASSERT(entry != entries.end());

    const QJsonObject oldMeta = entry->meta;
    newMeta.insert(kPhxRef, nextRef());
    newMeta.insert(kPhxRefPrev, oldMeta.value(kPhxRef));
    entry->meta = newMeta;
    topicIt->stale.insert(key);

    Diff diff;
    diff.joins.insert(key, metasOf(newMeta));
    diff.leaves.insert(key, metasOf(oldMeta));
    return diff;
}

QJsonObject PresenceTracker::list(const QString &topic) const
{
    QJsonObject state;
    const auto it = m_topics.constFind(topic);
    if (it == m_topics.constEnd())
        return state;
    for (auto keyIt = it->keys.cbegin(); keyIt != it->keys.cend(); ++keyIt)
        state.insert(keyIt.key(), presenceOf(topic, keyIt.key()));
    return state;
}

int PresenceTracker::keyCount(const QString &topic) const
{
    const auto it = m_topics.constFind(topic);
    return it == m_topics.constEnd() ? 0 : int(it->keys.size());
}

bool PresenceTracker::hasKey(const QString &topic, const QString &key) const
{
    const auto it = m_topics.constFind(topic);
    return it != m_topics.constEnd() && it->keys.contains(key);
}

QJsonObject PresenceTracker::presenceOf(const QString &topic, const QString &key) const
{
    const auto it = m_topics.constFind(topic);
    if (it == m_topics.constEnd())
        return {};
    const auto keyIt = it->keys.constFind(key);
    if (keyIt == it->keys.constEnd())
        return {};
    QJsonArray metas;
    for (const Entry &entry : keyIt.value())
        metas.append(entry.meta);
    return QJsonObject { { kMetas, metas } };
}

QList<QString> PresenceTracker::topicsOf(ConnectionId connection) const
{
    QList<QString> topics = m_topicsOfConnection.value(connection).values();
    std::sort(topics.begin(), topics.end());
    return topics;
}

std::optional<QJsonObject> PresenceTracker::meta(const QString &topic,
                                                 ConnectionId connection) const
{
    const auto topicIt = m_topics.constFind(topic);
    if (topicIt == m_topics.constEnd())
        return std::nullopt;
    const auto keyIt = topicIt->keyOfConnection.constFind(connection);
    if (keyIt == topicIt->keyOfConnection.constEnd())
        return std::nullopt;
    const auto entriesIt = topicIt->keys.constFind(*keyIt);
    Q_ASSERT(entriesIt != topicIt->keys.constEnd());
    for (const Entry &entry : *entriesIt) {
        if (entry.connection == connection)
            return entry.meta;
    }
    Q_ASSERT(false);
    return std::nullopt;
}

QString PresenceTracker::keyOf(const QString &topic, ConnectionId connection) const
{
    const auto it = m_topics.constFind(topic);
    return it == m_topics.constEnd() ? QString() : it->keyOfConnection.value(connection);
}

// Phoenix's layout: 64-bit nanosecond timestamp, 16-bit salt, 16-bit counter, big-endian, in
// URL-safe base64 without padding (12 bytes -> 16 characters). Uniqueness does not rest on the
// clock's resolution: the timestamp is forced to strictly increase within a tracker.
QString PresenceTracker::nextRef()
{
    const qint64 now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
    m_lastTimestampNs = std::max(now, m_lastTimestampNs + 1);
    ++m_counter;

    uchar bytes[12];
    qToBigEndian<quint64>(quint64(m_lastTimestampNs), bytes);
    qToBigEndian<quint16>(m_salt, bytes + 8);
    qToBigEndian<quint16>(m_counter, bytes + 10);
    return QString::fromLatin1(
        QByteArray::fromRawData(reinterpret_cast<const char *>(bytes), sizeof bytes)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

QByteArray PresenceTracker::listJson(const QString &topic) const
{
    const auto it = m_topics.constFind(topic);
    if (it == m_topics.constEnd())
        return QByteArrayLiteral("{}");
    const Topic &t = *it;
    for (const QString &key : std::as_const(t.stale)) {
        const auto entries = t.keys.constFind(key);
        if (entries == t.keys.cend()) {
            t.encoded.erase(key);
            continue;
        }
        QJsonArray metas;
        for (const Entry &entry : *entries)
            metas.append(entry.meta);
        const QByteArray one = QJsonDocument(QJsonObject { { key, QJsonObject { { kMetas, metas } } } })
                                       .toJson(QJsonDocument::Compact);
        t.encoded[key] = one.mid(1, one.size() - 2); // without the enclosing braces
    }
    t.stale.clear();
    qsizetype size = 2;
    for (const auto &[key, part] : t.encoded)
        size += part.size() + 1;
    QByteArray json;
    json.reserve(size);
    json += '{';
    for (const auto &[key, part] : t.encoded) {
        if (json.size() > 1)
            json += ',';
        json += part;
    }
    json += '}';
    return json;
}

std::optional<PresenceTracker::Taken> PresenceTracker::take(Topic &topic, ConnectionId connection)
{
    const auto keyIt = topic.keyOfConnection.constFind(connection);
    if (keyIt == topic.keyOfConnection.constEnd())
        return std::nullopt;
    Taken taken { *keyIt, {} };
    topic.keyOfConnection.erase(keyIt);
    topic.stale.insert(taken.key);
    const auto entriesIt = topic.keys.find(taken.key);
    Q_ASSERT(entriesIt != topic.keys.end());
    std::vector<Entry> &entries = *entriesIt;
    const auto entry = std::find_if(entries.begin(), entries.end(), [connection](const Entry &e) {
        return e.connection == connection;
    });
    Q_ASSERT(entry != entries.end());
    taken.meta = std::move(entry->meta);
    entries.erase(entry);
    if (entries.empty())
        topic.keys.erase(entriesIt);
    return taken;
}

void PresenceTracker::forgetTopicIfEmpty(const QString &topic)
{
    const auto it = m_topics.find(topic);
    if (it != m_topics.end() && it->keys.isEmpty())
        m_topics.erase(it);
}

void PresenceTracker::forgetConnectionTopic(ConnectionId connection, const QString &topic)
{
    const auto it = m_topicsOfConnection.find(connection);
    if (it == m_topicsOfConnection.end())
        return;
    it->remove(topic);
    if (it->isEmpty())
        m_topicsOfConnection.erase(it);
}

QJsonObject PresenceTracker::metasOf(const QJsonObject &meta)
{
    return QJsonObject { { kMetas, QJsonArray { meta } } };
}

quint16 PresenceTracker::makeSalt()
{
    // Phoenix hashes node and pid; a random salt also separates trackers in one process and
    // restarts of the hub.
    return quint16(QRandomGenerator::global()->generate());
}

} // namespace Parley::Hub
