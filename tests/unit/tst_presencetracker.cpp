#include "hub/presencetracker.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QTest>
#include <QtEndian>

#include <algorithm>
#include <chrono>
#include <map>

using Parley::Hub::PresenceTracker;
using ConnectionId = PresenceTracker::ConnectionId;
using Diff = PresenceTracker::Diff;

namespace {

QJsonObject metaFor(const QString &nick, const QString &status = QStringLiteral("online"))
{
    return QJsonObject { { QStringLiteral("nick"), nick },
                         { QStringLiteral("status"), status },
                         { QStringLiteral("typing"), false },
                         { QStringLiteral("device"), QStringLiteral("desktop") } };
}

QString refOf(const QJsonObject &meta)
{
    return meta.value(QStringLiteral("phx_ref")).toString();
}

QJsonArray metasOf(const QJsonObject &presences, const QString &key)
{
    return presences.value(key).toObject().value(QStringLiteral("metas")).toArray();
}

// The meta the tracker is expected to store: the input plus the phx_ref it generated.
QJsonObject withRef(QJsonObject meta, const QString &ref)
{
    meta.insert(QStringLiteral("phx_ref"), ref);
    return meta;
}

QJsonObject presence(const QJsonArray &metas)
{
    return QJsonObject { { QStringLiteral("metas"), metas } };
}

// phoenix.js Presence.syncDiff (1.8.x), on a state of key -> {"metas": [...]}: joins first (the
// key's current metas that are not re-joined go in front), then leaves by phx_ref.
void syncDiff(QJsonObject &state, const QJsonObject &diff)
{
    const QJsonObject joins = diff.value(QStringLiteral("joins")).toObject();
    for (auto it = joins.begin(); it != joins.end(); ++it) {
        QJsonObject newPresence = it.value().toObject();
        if (state.contains(it.key())) {
            QSet<QString> joinedRefs;
            const QJsonArray joined = newPresence.value(QStringLiteral("metas")).toArray();
            for (const QJsonValue &m : joined)
                joinedRefs.insert(refOf(m.toObject()));
            QJsonArray metas;
            for (const QJsonValue &m : metasOf(state, it.key())) {
                if (!joinedRefs.contains(refOf(m.toObject())))
                    metas.append(m);
            }
            for (const QJsonValue &m : joined)
                metas.append(m);
            newPresence.insert(QStringLiteral("metas"), metas);
        }
        state.insert(it.key(), newPresence);
    }
    const QJsonObject leaves = diff.value(QStringLiteral("leaves")).toObject();
    for (auto it = leaves.begin(); it != leaves.end(); ++it) {
        if (!state.contains(it.key()))
            continue;
        QSet<QString> leftRefs;
        for (const QJsonValue &m : it.value().toObject().value(QStringLiteral("metas")).toArray())
            leftRefs.insert(refOf(m.toObject()));
        QJsonArray metas;
        for (const QJsonValue &m : metasOf(state, it.key())) {
            if (!leftRefs.contains(refOf(m.toObject())))
                metas.append(m);
        }
        if (metas.isEmpty())
            state.remove(it.key());
        else
            state.insert(it.key(), presence(metas));
    }
}

// Metas of each key sorted by phx_ref: a client applying an update's diff moves that meta to the
// end of its key, while the tracker keeps it in place, so only the contents must agree.
QJsonObject normalized(const QJsonObject &state)
{
    QJsonObject out;
    for (auto it = state.begin(); it != state.end(); ++it) {
        QList<QJsonObject> metas;
        for (const QJsonValue &m : metasOf(state, it.key()))
            metas.append(m.toObject());
        std::sort(metas.begin(), metas.end(),
                  [](const QJsonObject &a, const QJsonObject &b) { return refOf(a) < refOf(b); });
        QJsonArray sorted;
        for (const QJsonObject &m : metas)
            sorted.append(m);
        out.insert(it.key(), presence(sorted));
    }
    return out;
}

// Every query of the tracker against the clients' states and the reference model; an empty
// string if all agree. (QCOMPARE in Qt 6.4 stringifies its operands even when they match, which
// made thousands of checks per operation slow.)
QString firstMismatch(const PresenceTracker &tracker, const std::map<QString, QJsonObject> &clients,
                      const std::map<std::pair<QString, ConnectionId>, QString> &model,
                      const QList<QString> &topics, const QList<ConnectionId> &connections,
                      bool exactOrder)
{
    const auto json = [](const QJsonObject &o) {
        return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
    };
    for (const QString &t : topics) {
        const QJsonObject listed = tracker.list(t);
        const auto client = clients.find(t);
        const QJsonObject state = client == clients.end() ? QJsonObject() : client->second;
        const bool same = exactOrder ? state == listed : normalized(state) == normalized(listed);
        if (!same)
            return QStringLiteral("%1: client %2 != list %3").arg(t, json(state), json(listed));
        if (tracker.keyCount(t) != listed.size())
            return QStringLiteral("%1: keyCount %2 != %3")
                .arg(t)
                .arg(tracker.keyCount(t))
                .arg(listed.size());
    }
    for (const ConnectionId c : connections) {
        QList<QString> expectedTopics;
        for (const QString &t : topics) {
            const auto it = model.find({ t, c });
            const QString expectedKey = it == model.end() ? QString() : it->second;
            if (tracker.keyOf(t, c) != expectedKey)
                return QStringLiteral("keyOf(%1, %2) = %3, not %4")
                    .arg(t)
                    .arg(c)
                    .arg(tracker.keyOf(t, c), expectedKey);
            if (tracker.meta(t, c).has_value() != (it != model.end()))
                return QStringLiteral("meta(%1, %2) presence wrong").arg(t).arg(c);
            if (it != model.end())
                expectedTopics.append(t);
        }
        if (tracker.topicsOf(c) != expectedTopics)
            return QStringLiteral("topicsOf(%1) = %2").arg(c).arg(tracker.topicsOf(c).join(u','));
    }
    return {};
}

} // namespace

class TestPresenceTracker : public QObject
{
    Q_OBJECT

private slots:
    void listJsonIsTheEncodedListAfterEveryChange();
    void diffJsonAlwaysHasJoinsAndLeaves_data();
    void diffJsonAlwaysHasJoinsAndLeaves();
    void trackEmitsJoinOfTheNewMetaOnly_data();
    void trackEmitsJoinOfTheNewMetaOnly();
    void secondDeviceAddsAMetaUnderTheSameKey();
    void updateReplacesMetaInPlace_data();
    void updateReplacesMetaInPlace();
    void updateOfUntrackedConnectionIsNullopt_data();
    void updateOfUntrackedConnectionIsNullopt();
    void untrackLeavesOnlyThatMeta_data();
    void untrackLeavesOnlyThatMeta();
    void untrackAllEmitsOneDiffPerTopic();
    void untrackOfUnknownConnectionIsEmpty_data();
    void untrackOfUnknownConnectionIsEmpty();
    void retrackReplacesInOneDiff_data();
    void retrackReplacesInOneDiff();
    void phxRefsAreWellFormedAndUnique();
    void phxRefEncodesTimestampSaltAndCounter();
    void clientSyncDiffMatchesListAfterRandomOps_data();
    void clientSyncDiffMatchesListAfterRandomOps();
    void absorbCancelsAJoinLeftInTheSameWindow();
    void coalescedDiffsKeepEveryClientExact_data();
    void coalescedDiffsKeepEveryClientExact();
};

void TestPresenceTracker::diffJsonAlwaysHasJoinsAndLeaves_data()
{
    QTest::addColumn<QJsonObject>("joins");
    QTest::addColumn<QJsonObject>("leaves");
    const QJsonObject someone { { QStringLiteral("u1"), presence({ metaFor("a") }) } };
    QTest::addRow("empty") << QJsonObject() << QJsonObject();
    QTest::addRow("joins only") << someone << QJsonObject();
    QTest::addRow("leaves only") << QJsonObject() << someone;
    QTest::addRow("both") << someone << someone;
}

void TestPresenceTracker::diffJsonAlwaysHasJoinsAndLeaves()
{
    QFETCH(QJsonObject, joins);
    QFETCH(QJsonObject, leaves);
    const Diff diff { joins, leaves };
    const QJsonObject json = diff.toJson();
    QCOMPARE(json.size(), 2);
    QVERIFY(json.value(QStringLiteral("joins")).isObject());
    QVERIFY(json.value(QStringLiteral("leaves")).isObject());
    QCOMPARE(json.value(QStringLiteral("joins")).toObject(), joins);
    QCOMPARE(json.value(QStringLiteral("leaves")).toObject(), leaves);
    QCOMPARE(diff.isEmpty(), joins.isEmpty() && leaves.isEmpty());
}

void TestPresenceTracker::trackEmitsJoinOfTheNewMetaOnly_data()
{
    QTest::addColumn<QJsonObject>("input");
    QTest::addColumn<QJsonObject>("stored"); // without phx_ref
    const QJsonObject plain = metaFor(QStringLiteral("ana"));
    QTest::addRow("plain meta") << plain << plain;
    QTest::addRow("empty meta") << QJsonObject() << QJsonObject();
    QJsonObject stale = plain;
    stale.insert(QStringLiteral("phx_ref"), QStringLiteral("forged"));
    stale.insert(QStringLiteral("phx_ref_prev"), QStringLiteral("forged-too"));
    QTest::addRow("caller's phx_ref ignored") << stale << plain;
}

void TestPresenceTracker::trackEmitsJoinOfTheNewMetaOnly()
{
    QFETCH(QJsonObject, input);
    QFETCH(QJsonObject, stored);
    PresenceTracker tracker;
    tracker.track(QStringLiteral("room:other"), 9, QStringLiteral("someone"), metaFor("x"));

    const Diff diff
        = tracker.track(QStringLiteral("room:general"), 1, QStringLiteral("u-ana"), input);
    QVERIFY(diff.leaves.isEmpty());
    QCOMPARE(diff.joins.keys(), QStringList { QStringLiteral("u-ana") });
    const QJsonArray joined = metasOf(diff.joins, QStringLiteral("u-ana"));
    QCOMPARE(joined.size(), 1);
    const QString ref = refOf(joined.at(0).toObject());
    QCOMPARE(ref.size(), 16);
    QCOMPARE(joined.at(0).toObject(), withRef(stored, ref));

    const QJsonObject expected { { QStringLiteral("u-ana"), presence({ withRef(stored, ref) }) } };
    QCOMPARE(tracker.list(QStringLiteral("room:general")), expected);
    QCOMPARE(tracker.keyCount(QStringLiteral("room:general")), 1);
    QCOMPARE(tracker.keyOf(QStringLiteral("room:general"), 1), QStringLiteral("u-ana"));
    QCOMPARE(tracker.meta(QStringLiteral("room:general"), 1), withRef(stored, ref));
    QCOMPARE(tracker.topicsOf(1), QList<QString> { QStringLiteral("room:general") });
    QCOMPARE(tracker.list(QStringLiteral("room:other")).size(), 1); // untouched
}

void TestPresenceTracker::secondDeviceAddsAMetaUnderTheSameKey()
{
    PresenceTracker tracker;
    const QString topic = QStringLiteral("hub:lobby");
    const Diff first = tracker.track(topic, 1, QStringLiteral("bob"), metaFor("bob", "phone"));
    const Diff second = tracker.track(topic, 2, QStringLiteral("bob"), metaFor("bob", "laptop"));

    QVERIFY(second.leaves.isEmpty());
    const QJsonArray joined = metasOf(second.joins, QStringLiteral("bob"));
    QCOMPARE(joined.size(), 1); // only the new meta, as Phoenix
    const QString ref1 = refOf(metasOf(first.joins, QStringLiteral("bob")).at(0).toObject());
    const QString ref2 = refOf(joined.at(0).toObject());
    QVERIFY(ref1 != ref2);

    const QJsonArray listed = metasOf(tracker.list(topic), QStringLiteral("bob"));
    QCOMPARE(listed.size(), 2);
    QCOMPARE(listed.at(0).toObject(), withRef(metaFor("bob", "phone"), ref1)); // tracking order
    QCOMPARE(listed.at(1).toObject(), withRef(metaFor("bob", "laptop"), ref2));
    QCOMPARE(tracker.keyCount(topic), 1);
}

void TestPresenceTracker::updateReplacesMetaInPlace_data()
{
    QTest::addColumn<int>("devices");
    QTest::addColumn<int>("updated"); // index of the updated device's meta
    QTest::addRow("only device") << 1 << 0;
    QTest::addRow("first of three") << 3 << 0;
    QTest::addRow("middle of three") << 3 << 1;
    QTest::addRow("last of three") << 3 << 2;
}

void TestPresenceTracker::updateReplacesMetaInPlace()
{
    QFETCH(int, devices);
    QFETCH(int, updated);
    PresenceTracker tracker;
    const QString topic = QStringLiteral("room:general");
    const QString key = QStringLiteral("u-ana");
    for (int i = 0; i < devices; ++i)
        tracker.track(topic, ConnectionId(100 + i), key, metaFor(QStringLiteral("ana%1").arg(i)));
    const QJsonArray before = metasOf(tracker.list(topic), key);
    const QJsonObject oldMeta = before.at(updated).toObject();

    const QJsonObject newInput = metaFor(QStringLiteral("ana%1").arg(updated), "away");
    const auto diff = tracker.update(topic, ConnectionId(100 + updated), newInput);
    QVERIFY(diff);
    QCOMPARE(diff->leaves, (QJsonObject { { key, presence({ oldMeta }) } }));
    QCOMPARE(diff->joins.keys(), QStringList { key });
    const QJsonArray joined = metasOf(diff->joins, key);
    QCOMPARE(joined.size(), 1);
    const QJsonObject newMeta = joined.at(0).toObject();
    QVERIFY(refOf(newMeta) != refOf(oldMeta));
    QCOMPARE(newMeta.value(QStringLiteral("phx_ref_prev")).toString(), refOf(oldMeta));
    QJsonObject expectedNew = withRef(newInput, refOf(newMeta));
    expectedNew.insert(QStringLiteral("phx_ref_prev"), refOf(oldMeta));
    QCOMPARE(newMeta, expectedNew);

    QJsonArray expected = before;
    expected.replace(updated, newMeta); // same position, old meta gone
    QCOMPARE(metasOf(tracker.list(topic), key), expected);
    QCOMPARE(tracker.meta(topic, ConnectionId(100 + updated)), newMeta);

    // A second update chains phx_ref_prev to the previous new ref.
    const auto again = tracker.update(topic, ConnectionId(100 + updated), newInput);
    QVERIFY(again);
    QCOMPARE(metasOf(again->joins, key).at(0).toObject().value(QStringLiteral("phx_ref_prev")),
             QJsonValue(refOf(newMeta)));
    QCOMPARE(metasOf(again->leaves, key).at(0).toObject(), newMeta);
}

void TestPresenceTracker::updateOfUntrackedConnectionIsNullopt_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<ConnectionId>("connection");
    QTest::addRow("unknown topic") << QStringLiteral("room:nowhere") << ConnectionId(1);
    QTest::addRow("unknown connection") << QStringLiteral("room:general") << ConnectionId(2);
}

void TestPresenceTracker::updateOfUntrackedConnectionIsNullopt()
{
    QFETCH(QString, topic);
    QFETCH(ConnectionId, connection);
    PresenceTracker tracker;
    tracker.track(QStringLiteral("room:general"), 1, QStringLiteral("u1"), metaFor("a"));
    const QJsonObject before = tracker.list(QStringLiteral("room:general"));
    const QList<QString> topicsBefore = tracker.topicsOf(connection);
    QVERIFY(!tracker.update(topic, connection, metaFor("b")));
    QCOMPARE(tracker.list(QStringLiteral("room:general")), before);
    QCOMPARE(tracker.topicsOf(connection), topicsBefore);
    QCOMPARE(tracker.keyCount(QStringLiteral("room:nowhere")), 0); // no topic created on a miss
}

void TestPresenceTracker::untrackLeavesOnlyThatMeta_data()
{
    QTest::addColumn<int>("devices");
    QTest::addColumn<int>("leaving");
    QTest::addRow("one of two devices") << 2 << 0;
    QTest::addRow("second of two devices") << 2 << 1;
    QTest::addRow("last device") << 1 << 0;
}

void TestPresenceTracker::untrackLeavesOnlyThatMeta()
{
    QFETCH(int, devices);
    QFETCH(int, leaving);
    PresenceTracker tracker;
    const QString topic = QStringLiteral("room:general");
    for (int i = 0; i < devices; ++i)
        tracker.track(topic, ConnectionId(i + 1), QStringLiteral("bob"), metaFor("bob"));
    QJsonArray metas = metasOf(tracker.list(topic), QStringLiteral("bob"));
    const QJsonObject leavingMeta = metas.at(leaving).toObject();

    const Diff diff = tracker.untrack(topic, ConnectionId(leaving + 1));
    QVERIFY(diff.joins.isEmpty());
    QCOMPARE(diff.leaves, (QJsonObject { { QStringLiteral("bob"), presence({ leavingMeta }) } }));
    QVERIFY(tracker.topicsOf(ConnectionId(leaving + 1)).isEmpty());
    QVERIFY(!tracker.meta(topic, ConnectionId(leaving + 1)));
    QVERIFY(tracker.keyOf(topic, ConnectionId(leaving + 1)).isEmpty());

    metas.removeAt(leaving);
    if (metas.isEmpty()) {
        QVERIFY(tracker.list(topic).isEmpty()); // the key goes with its last meta
        QCOMPARE(tracker.keyCount(topic), 0);
    } else {
        QCOMPARE(tracker.list(topic), (QJsonObject { { QStringLiteral("bob"), presence(metas) } }));
        QCOMPARE(tracker.keyCount(topic), 1);
    }
    QVERIFY(tracker.untrack(topic, ConnectionId(leaving + 1)).isEmpty()); // second time: nothing
}

void TestPresenceTracker::untrackAllEmitsOneDiffPerTopic()
{
    PresenceTracker tracker;
    QList<QString> topics;
    for (int i = 0; i < 100; ++i) {
        const QString topic = QStringLiteral("room:r%1").arg(i, 3, 10, QLatin1Char('0'));
        topics.append(topic);
        tracker.track(topic, 1, QStringLiteral("ana"), metaFor("ana"));
        if (i % 2 == 0)
            tracker.track(topic, 2, QStringLiteral("ana"), metaFor("ana", "phone")); // same key
        if (i % 3 == 0)
            tracker.track(topic, 3, QStringLiteral("bob"), metaFor("bob"));
    }
    QCOMPARE(tracker.topicsOf(1), topics);
    QMap<QString, QJsonObject> leavingMetas;
    QMap<QString, QJsonObject> listsBefore;
    for (const QString &topic : topics) {
        leavingMetas.insert(topic, *tracker.meta(topic, 1));
        listsBefore.insert(topic, tracker.list(topic));
    }
    const QList<QString> topicsOf2 = tracker.topicsOf(2);
    const QList<QString> topicsOf3 = tracker.topicsOf(3);

    const std::map<QString, Diff> diffs = tracker.untrackAll(1);
    QCOMPARE(int(diffs.size()), 100);
    for (const auto &[topic, diff] : diffs) {
        QVERIFY(diff.joins.isEmpty());
        QCOMPARE(
            diff.leaves,
            (QJsonObject { { QStringLiteral("ana"), presence({ leavingMetas.value(topic) }) } }));
        QJsonObject expected = listsBefore.value(topic);
        syncDiff(expected, diff.toJson());
        QCOMPARE(tracker.list(topic), expected);
    }
    QVERIFY(tracker.topicsOf(1).isEmpty());
    QCOMPARE(tracker.topicsOf(2), topicsOf2);
    QCOMPARE(tracker.topicsOf(3), topicsOf3);
    QVERIFY(tracker.list(topics.at(1)).isEmpty()); // only connection 1 was there: topic gone
    QCOMPARE(tracker.keyCount(topics.at(0)), 2); // ana (phone) and bob remain
    QVERIFY(tracker.untrackAll(1).empty());
}

void TestPresenceTracker::untrackOfUnknownConnectionIsEmpty_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<ConnectionId>("connection");
    QTest::addRow("unknown topic") << QStringLiteral("room:nowhere") << ConnectionId(1);
    QTest::addRow("unknown connection in known topic")
        << QStringLiteral("room:general") << ConnectionId(7);
    QTest::addRow("known connection, other topic")
        << QStringLiteral("room:other") << ConnectionId(1);
}

void TestPresenceTracker::untrackOfUnknownConnectionIsEmpty()
{
    QFETCH(QString, topic);
    QFETCH(ConnectionId, connection);
    PresenceTracker tracker;
    tracker.track(QStringLiteral("room:general"), 1, QStringLiteral("u1"), metaFor("a"));
    const QJsonObject before = tracker.list(QStringLiteral("room:general"));

    const Diff diff = tracker.untrack(topic, connection);
    QVERIFY(diff.isEmpty());
    QCOMPARE(diff.toJson(),
             (QJsonObject { { QStringLiteral("joins"), QJsonObject() },
                            { QStringLiteral("leaves"), QJsonObject() } }));
    if (connection != 1)
        QVERIFY(tracker.untrackAll(connection).empty());
    QCOMPARE(tracker.list(QStringLiteral("room:general")), before);
    QCOMPARE(tracker.topicsOf(1), QList<QString> { QStringLiteral("room:general") });
}

void TestPresenceTracker::retrackReplacesInOneDiff_data()
{
    QTest::addColumn<QString>("newKey");
    QTest::addColumn<bool>("otherDevice"); // another connection of the old key stays
    QTest::addRow("same key") << QStringLiteral("ana") << false;
    QTest::addRow("same key, second device") << QStringLiteral("ana") << true;
    QTest::addRow("other key") << QStringLiteral("carol") << false;
    QTest::addRow("other key, second device") << QStringLiteral("carol") << true;
}

void TestPresenceTracker::retrackReplacesInOneDiff()
{
    QFETCH(QString, newKey);
    QFETCH(bool, otherDevice);
    PresenceTracker tracker;
    const QString topic = QStringLiteral("room:general");
    tracker.track(topic, 1, QStringLiteral("ana"), metaFor("ana"));
    if (otherDevice)
        tracker.track(topic, 2, QStringLiteral("ana"), metaFor("ana", "phone"));
    QJsonObject clientState = tracker.list(topic);
    const QJsonObject oldMeta = *tracker.meta(topic, 1);

    const Diff diff = tracker.track(topic, 1, newKey, metaFor("ana", "busy"));
    QCOMPARE(diff.leaves, (QJsonObject { { QStringLiteral("ana"), presence({ oldMeta }) } }));
    QCOMPARE(diff.joins.keys(), QStringList { newKey });
    const QJsonObject newMeta = metasOf(diff.joins, newKey).at(0).toObject();
    QCOMPARE(metasOf(diff.joins, newKey).size(), 1);
    QVERIFY(refOf(newMeta) != refOf(oldMeta));
    QVERIFY(!newMeta.contains(QStringLiteral("phx_ref_prev")));

    QCOMPARE(tracker.meta(topic, 1), newMeta);
    QCOMPARE(tracker.keyOf(topic, 1), newKey);
    QCOMPARE(tracker.topicsOf(1), QList<QString> { topic });
    const int expectedKeys = (newKey == QStringLiteral("ana") || !otherDevice) ? 1 : 2;
    QCOMPARE(tracker.keyCount(topic), expectedKeys);
    syncDiff(clientState, diff.toJson());
    QCOMPARE(clientState, tracker.list(topic)); // re-tracked meta goes last: same order too
}

void TestPresenceTracker::phxRefsAreWellFormedAndUnique()
{
    static const QRegularExpression format(QStringLiteral("^[A-Za-z0-9_-]{16}$"));
    constexpr int count = 100'000;
    PresenceTracker tracker;
    QSet<QString> refs;
    refs.reserve(count);
    for (int i = 0; i < count; ++i) {
        // Re-tracking one connection exercises the replace path and keeps the tracker small.
        const Diff diff = tracker.track(QStringLiteral("hub:lobby"), 1, QStringLiteral("u"), {});
        const QString ref = refOf(metasOf(diff.joins, QStringLiteral("u")).at(0).toObject());
        if (!format.match(ref).hasMatch())
            QFAIL(qPrintable(QStringLiteral("bad phx_ref %1").arg(ref)));
        refs.insert(ref);
    }
    QCOMPARE(refs.size(), count);
    QCOMPARE(tracker.keyCount(QStringLiteral("hub:lobby")), 1);
}

void TestPresenceTracker::phxRefEncodesTimestampSaltAndCounter()
{
    PresenceTracker tracker;
    const qint64 before = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    QList<QByteArray> raw;
    for (int i = 0; i < 3; ++i) {
        const Diff diff
            = tracker.track(QStringLiteral("t"), ConnectionId(i), QStringLiteral("k"), {});
        const QString ref = refOf(metasOf(diff.joins, QStringLiteral("k")).at(0).toObject());
        const auto decoded = QByteArray::fromBase64Encoding(
            ref.toLatin1(),
            QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
        QVERIFY(decoded);
        QCOMPARE(decoded.decoded.size(), 12);
        raw.append(decoded.decoded);
    }
    const auto timestampOf
        = [](const QByteArray &b) { return qint64(qFromBigEndian<quint64>(b.constData())); };
    const auto counterOf
        = [](const QByteArray &b) { return qFromBigEndian<quint16>(b.constData() + 10); };
    QVERIFY(timestampOf(raw.at(0)) >= before);
    QVERIFY(timestampOf(raw.at(0)) < before + qint64(60) * 1'000'000'000); // within a minute
    QVERIFY(timestampOf(raw.at(1)) > timestampOf(raw.at(0))); // strictly increasing
    QVERIFY(timestampOf(raw.at(2)) > timestampOf(raw.at(1)));
    QCOMPARE(raw.at(1).mid(8, 2), raw.at(0).mid(8, 2)); // one salt per tracker
    QCOMPARE(quint16(counterOf(raw.at(1)) - counterOf(raw.at(0))), quint16(1));
}

void TestPresenceTracker::clientSyncDiffMatchesListAfterRandomOps_data()
{
    QTest::addColumn<quint32>("seed");
    QTest::addColumn<bool>("withUpdates");
    QTest::addRow("seed 1") << 1u << true;
    QTest::addRow("seed 42") << 42u << true;
    QTest::addRow("seed 2024") << 2024u << true;
    // Without updates the client's meta order must match list() exactly, not just its contents.
    QTest::addRow("seed 7, no updates") << 7u << false;
}

void TestPresenceTracker::clientSyncDiffMatchesListAfterRandomOps()
{
    QFETCH(quint32, seed);
    QFETCH(bool, withUpdates);
    constexpr int ops = 5000, connections = 20, topicCount = 5, keyCount = 8;
    QRandomGenerator rng(seed);
    PresenceTracker tracker;
    QList<QString> topics;
    for (int i = 0; i < topicCount; ++i)
        topics.append(QStringLiteral("room:t%1").arg(i));
    std::map<QString, QJsonObject> clients; // one phoenix.js client's state per topic
    std::map<std::pair<QString, ConnectionId>, QString> model; // (topic, connection) -> key
    QSet<QString> seenRefs;

    // Checks a diff against what phoenix.js would see, then applies it.
    const auto apply = [&](const QString &topic, const Diff &diff) {
        QJsonObject &state = clients[topic];
        QCOMPARE(diff.toJson().size(), 2);
        for (auto it = diff.joins.begin(); it != diff.joins.end(); ++it) {
            for (const QJsonValue &m : metasOf(diff.joins, it.key())) {
                const QString ref = refOf(m.toObject());
                QVERIFY2(!seenRefs.contains(ref), "a join reuses a phx_ref");
                seenRefs.insert(ref);
            }
        }
        for (auto it = diff.leaves.begin(); it != diff.leaves.end(); ++it) {
            QSet<QString> present;
            for (const QJsonValue &m : metasOf(state, it.key()))
                present.insert(refOf(m.toObject()));
            for (const QJsonValue &m : metasOf(diff.leaves, it.key()))
                QVERIFY2(present.contains(refOf(m.toObject())),
                         "a leave of a meta the client lacks");
        }
        syncDiff(state, diff.toJson());
    };

    for (int op = 0; op < ops; ++op) {
        const QString topic = topics.at(rng.bounded(topicCount));
        const auto connection = ConnectionId(rng.bounded(connections) + 1);
        const int kind = rng.bounded(100);
        const QJsonObject meta { { QStringLiteral("online_at"), op },
                                 { QStringLiteral("typing"), rng.bounded(2) == 1 } };
        if (kind < 40) {
            // A connection is one user; one track in twenty uses another key (re-track path).
            const int keyIndex
                = rng.bounded(20) == 0 ? int(rng.bounded(keyCount)) : int(connection % keyCount);
            const QString key = QStringLiteral("user%1").arg(keyIndex);
            const Diff diff = tracker.track(topic, connection, key, meta);
            apply(topic, diff);
            model[{ topic, connection }] = key;
        } else if (kind < 65) {
            const bool tracked = model.count({ topic, connection }) > 0;
            const Diff diff = tracker.untrack(topic, connection);
            QCOMPARE(diff.isEmpty(), !tracked);
            apply(topic, diff);
            model.erase({ topic, connection });
        } else if (kind < 95) {
            if (!withUpdates)
                continue;
            const bool tracked = model.count({ topic, connection }) > 0;
            const auto diff = tracker.update(topic, connection, meta);
            QCOMPARE(bool(diff), tracked);
            if (diff)
                apply(topic, *diff);
        } else {
            QSet<QString> expectedTopics;
            for (const auto &[where, key] : model) {
                if (where.second == connection)
                    expectedTopics.insert(where.first);
            }
            const std::map<QString, Diff> diffs = tracker.untrackAll(connection);
            QCOMPARE(int(diffs.size()), int(expectedTopics.size()));
            for (const auto &[where, diff] : diffs) {
                QVERIFY(expectedTopics.contains(where));
                QVERIFY(!diff.isEmpty());
                apply(where, diff);
                model.erase({ where, connection });
            }
        }
        if (QTest::currentTestFailed())
            QFAIL(qPrintable(QStringLiteral("after op %1").arg(op)));

        // The touched connection after every operation, all of them now and then.
        QList<ConnectionId> toCheck { connection };
        if (op % 50 == 0) {
            for (ConnectionId c = 1; c <= ConnectionId(connections); ++c)
                toCheck.append(c);
        }
        const QString mismatch
            = firstMismatch(tracker, clients, model, topics, toCheck, !withUpdates);
        if (!mismatch.isEmpty())
            QFAIL(qPrintable(QStringLiteral("after op %1: %2").arg(op).arg(mismatch)));
    }

    // Everybody leaves: nothing may remain, neither on the hub nor on any client.
    for (ConnectionId c = 1; c <= ConnectionId(connections); ++c) {
        for (const auto &[topic, diff] : tracker.untrackAll(c))
            apply(topic, diff);
    }
    for (const QString &t : topics) {
        QVERIFY(tracker.list(t).isEmpty());
        QCOMPARE(tracker.keyCount(t), 0);
        QVERIFY(clients[t].isEmpty());
    }
    for (ConnectionId c = 1; c <= ConnectionId(connections); ++c)
        QVERIFY(tracker.topicsOf(c).isEmpty());
}

void TestPresenceTracker::listJsonIsTheEncodedListAfterEveryChange()
{
    // The presence_state the hub sends is listJson(); it must be exactly encode(list()), byte for
    // byte, however the cache of per-key parts got there.
    using Parley::Hub::PresenceTracker;
    PresenceTracker tracker;
    QCOMPARE(tracker.listJson(QStringLiteral("room:none")), QByteArray("{}"));
    QRandomGenerator random(20261125);
    const QStringList topics { QStringLiteral("room:a"), QStringLiteral("room:b"), QStringLiteral("hub:lobby") };
    const QStringList keys { QStringLiteral("zoe-00001"), QStringLiteral("ana-00001"), QStringLiteral("42000000"),
                             QStringLiteral("bob-00001"), QStringLiteral("Bob-00001") };
    for (int step = 0; step < 3000; ++step) {
        const QString topic = topics.at(random.bounded(topics.size()));
        const PresenceTracker::ConnectionId connection = random.bounded(12) + 1;
        switch (random.bounded(4)) {
        case 0:
        case 1:
            tracker.track(topic, connection, keys.at(random.bounded(keys.size())),
                          QJsonObject { { QStringLiteral("status"), QStringLiteral("online") },
                                        { QStringLiteral("n"), step } });
            break;
        case 2:
            tracker.update(topic, connection, QJsonObject { { QStringLiteral("status"), QStringLiteral("away") } });
            break;
        default:
            if (random.bounded(5) == 0)
                tracker.untrackAll(connection);
            else
                tracker.untrack(topic, connection);
        }
        for (const QString &t : topics) {
            // Ask only sometimes, so that several changes pile up between two reads.
            if (random.bounded(3) == 0 || step == 2999)
                QCOMPARE(tracker.listJson(t), QJsonDocument(tracker.list(t)).toJson(QJsonDocument::Compact));
        }
    }
}

void TestPresenceTracker::absorbCancelsAJoinLeftInTheSameWindow()
{
    PresenceTracker tracker;
    const QString topic = QStringLiteral("room:w");
    Diff window = tracker.track(topic, 1, QStringLiteral("ana"), metaFor(QStringLiteral("ana")));
    window.absorb(tracker.track(topic, 2, QStringLiteral("bo"), metaFor(QStringLiteral("bo"))));
    window.absorb(tracker.untrack(topic, 2)); // bo came and went inside the window
    QCOMPARE(window.joins.keys(), QStringList { QStringLiteral("ana") });
    QVERIFY(window.leaves.isEmpty());
    // An update keeps its leave + join shape, against the meta the client knows.
    const Diff before = tracker.track(topic, 3, QStringLiteral("cy"), metaFor(QStringLiteral("cy")));
    const QString known = refOf(metasOf(before.joins, QStringLiteral("cy")).first().toObject());
    Diff update = *tracker.update(topic, 3, metaFor(QStringLiteral("cy"), QStringLiteral("away")));
    update.absorb(*tracker.update(topic, 3, metaFor(QStringLiteral("cy"), QStringLiteral("busy"))));
    QCOMPARE(metasOf(update.leaves, QStringLiteral("cy")).size(), 1);
    QCOMPARE(refOf(metasOf(update.leaves, QStringLiteral("cy")).first().toObject()), known);
    QCOMPARE(metasOf(update.joins, QStringLiteral("cy")).size(), 1);
    QCOMPARE(metasOf(update.joins, QStringLiteral("cy")).first().toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("busy"));
    // append() cancels nothing: a join seen by someone and left later reaches them as a leave.
    Diff sealed = tracker.track(topic, 4, QStringLiteral("di"), metaFor(QStringLiteral("di")));
    sealed.append(tracker.untrack(topic, 4));
    QCOMPARE(sealed.joins.keys(), QStringList { QStringLiteral("di") });
    QCOMPARE(sealed.leaves.keys(), QStringList { QStringLiteral("di") });
}

void TestPresenceTracker::coalescedDiffsKeepEveryClientExact_data()
{
    QTest::addColumn<quint32>("seed");
    for (quint32 seed : { 1u, 2u, 3u, 42u, 2026u, 77777u })
        QTest::addRow("seed %u", seed) << seed;
}

// What PresenceService does, at random: changes merge into a window (join+leave pairs cancel),
// a client that joins takes the state and seals the window (nothing before it cancels any more),
// windows close at random. Every client applies what it receives like phoenix.js's syncDiff; at
// the end every one of them, early or late, holds the tracker's list.
void TestPresenceTracker::coalescedDiffsKeepEveryClientExact()
{
    QFETCH(quint32, seed);
    QRandomGenerator rng(seed);
    PresenceTracker tracker;
    const QString topic = QStringLiteral("room:c");
    QList<QJsonObject> clients { QJsonObject() }; // one client there from the start
    Diff sealed;
    Diff pending;
    int windows = 0;
    int changes = 0;
    const auto closeWindow = [&] {
        sealed.append(std::exchange(pending, {}));
        if (!sealed.isEmpty()) {
            const QJsonObject json = std::exchange(sealed, {}).toJson();
            for (QJsonObject &state : clients)
                syncDiff(state, json);
            ++windows;
        }
    };
    for (int op = 0; op < 4000; ++op) {
        const auto connection = ConnectionId(rng.bounded(30) + 1);
        const int kind = rng.bounded(100);
        Diff diff;
        if (kind < 40) {
            diff = tracker.track(topic, connection, QStringLiteral("k%1").arg(connection % 9),
                                 metaFor(QStringLiteral("n"), QStringLiteral("online")));
        } else if (kind < 70) {
            diff = tracker.untrack(topic, connection);
        } else if (kind < 90) {
            diff = tracker.update(topic, connection, metaFor(QStringLiteral("n"), QStringLiteral("away")))
                           .value_or(Diff());
        } else if (kind < 95) {
            // A new client: its presence_state, taken now, seals the window.
            sealed.append(std::exchange(pending, {}));
            clients.append(tracker.list(topic));
            continue;
        } else {
            closeWindow();
            continue;
        }
        if (!diff.isEmpty()) {
            ++changes;
            pending.absorb(diff);
        }
    }
    closeWindow();
    QVERIFY(windows < changes); // coalescing happened
    const QJsonObject truth = normalized(tracker.list(topic));
    for (qsizetype i = 0; i < clients.size(); ++i)
        QVERIFY2(normalized(clients.at(i)) == truth, qPrintable(QStringLiteral("client %1 of %2 differs").arg(i).arg(clients.size())));
}

QTEST_GUILESS_MAIN(TestPresenceTracker)
#include "tst_presencetracker.moc"
