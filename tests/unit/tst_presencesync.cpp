// PresenceSync against phoenix.js Presence semantics (reference §5.5): syncState, syncDiff,
// pending diffs keyed on the channel's join_ref, metas order, callback arguments, list order.

#include "client/presencesync.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using Parley::Client::PresenceMap;
using Parley::Client::PresenceSync;

namespace {

// "a:1,2 b:3" → {"a": {"metas": [{"phx_ref": "1"}, {"phx_ref": "2"}]}, "b": {...}}
QJsonObject presences(const QString &spec)
{
    QJsonObject result;
    const QStringList entries = spec.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &entry : entries) {
        const QString key = entry.section(QLatin1Char(':'), 0, 0);
        QJsonArray metas;
        const QStringList refs
            = entry.section(QLatin1Char(':'), 1).split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &ref : refs)
            metas.append(QJsonObject { { QStringLiteral("phx_ref"), ref } });
        result.insert(key, QJsonObject { { QStringLiteral("metas"), metas } });
    }
    return result;
}

// "+a:3 -b:2" → {"joins": {"a": ...}, "leaves": {"b": ...}}
QJsonObject diff(const QString &spec)
{
    QStringList joins, leaves;
    const QStringList entries = spec.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    for (const QString &entry : entries)
        (entry.startsWith(QLatin1Char('+')) ? joins : leaves) << entry.mid(1);
    return QJsonObject { { QStringLiteral("joins"), presences(joins.join(QLatin1Char(' '))) },
                         { QStringLiteral("leaves"), presences(leaves.join(QLatin1Char(' '))) } };
}

// "[1,2]" for a presence, "-" for an absent one (JS undefined).
QString refs(const QJsonObject &presence)
{
    if (presence.isEmpty())
        return QStringLiteral("-");
    QStringList refs;
    const QJsonArray metas = presence.value(QLatin1String("metas")).toArray();
    for (const QJsonValue &meta : metas)
        refs << meta.toObject().value(QLatin1String("phx_ref")).toString();
    return QLatin1Char('[') + refs.join(QLatin1Char(',')) + QLatin1Char(']');
}

QStringList listed(const PresenceMap &state)
{
    QStringList result;
    const QStringList keys = state.keys();
    for (const QString &key : keys)
        result << key + QLatin1Char(':') + refs(state.value(key));
    return result;
}

} // namespace

class tst_PresenceSync : public QObject
{
    Q_OBJECT

private slots:
    void sequence_data();
    void sequence();
    void syncDiffCallbackArgumentsForUpdate();
    void syncStateOnlyReportsRealDifferences();
    void syncDiffKeepsExtraFieldsAndLeavesInputAlone();
    void listWithChooser();
    void arrayIndexKeys_data();
    void arrayIndexKeys();
};

// Steps: "state <presences>", "diff <+join -leave ...>", "rejoin <join_ref>" (the channel
// rejoined: its join_ref changes). The channel starts joined with join_ref "1".
// Events: "join KEY CURRENT NEW", "leave KEY CURRENT LEFT", "sync".
void tst_PresenceSync::sequence_data()
{
    QTest::addColumn<QStringList>("steps");
    QTest::addColumn<QStringList>("expectedList");
    QTest::addColumn<QStringList>("expectedEvents");

    QTest::addRow("state only") << QStringList { "state a:1 b:2" }
                                << QStringList { "a:[1]", "b:[2]" }
                                << QStringList { "join a - [1]", "join b - [2]", "sync" };
    QTest::addRow("empty state still syncs")
        << QStringList { "state" } << QStringList {} << QStringList { "sync" };
    QTest::addRow("state then join diff")
        << QStringList { "state a:1", "diff +c:3" } << QStringList { "a:[1]", "c:[3]" }
        << QStringList { "join a - [1]", "sync", "join c - [3]", "sync" };
    QTest::addRow("leave of one meta keeps the key")
        << QStringList { "state a:1,2", "diff -a:1" } << QStringList { "a:[2]" }
        << QStringList { "join a - [1,2]", "sync", "leave a [2] [1]", "sync" };
    QTest::addRow("leave of the last meta removes the key")
        << QStringList { "state a:1 b:2", "diff -a:1" } << QStringList { "b:[2]" }
        << QStringList { "join a - [1]", "join b - [2]", "sync", "leave a [] [1]", "sync" };
    QTest::addRow("diffs before the first state are buffered")
        << QStringList { "diff +b:2", "diff -a:1", "state a:1" } << QStringList { "b:[2]" }
        << QStringList { "join a - [1]", "join b - [2]", "leave a [] [1]", "sync" };
    QTest::addRow("rejoin buffers diffs until the new state")
        << QStringList { "state a:1", "rejoin 7", "diff +b:2", "state a:3" }
        << QStringList { "a:[3]", "b:[2]" }
        << QStringList { "join a - [1]",    "sync",         "join a [1] [3]",
                         "leave a [3] [1]", "join b - [2]", "sync" };
    QTest::addRow("after the new state diffs apply at once")
        << QStringList { "state a:1", "rejoin 7", "state a:1", "diff +b:2" }
        << QStringList { "a:[1]", "b:[2]" }
        << QStringList { "join a - [1]", "sync", "sync", "join b - [2]", "sync" };
    QTest::addRow("joined metas go behind the existing ones")
        << QStringList { "state a:1,2", "diff +a:3" } << QStringList { "a:[1,2,3]" }
        << QStringList { "join a - [1,2]", "sync", "join a [1,2] [3]", "sync" };
    QTest::addRow("a rejoined meta moves to the end")
        << QStringList { "state a:1,2,3", "diff +a:1" } << QStringList { "a:[2,3,1]" }
        << QStringList { "join a - [1,2,3]", "sync", "join a [1,2,3] [1]", "sync" };
    QTest::addRow("update is join then leave in one diff")
        << QStringList { "state a:1,2", "diff +a:4 -a:1" } << QStringList { "a:[2,4]" }
        << QStringList { "join a - [1,2]", "sync", "join a [1,2] [4]", "leave a [2,4] [1]",
                         "sync" };
    QTest::addRow("leave of an unknown key is ignored")
        << QStringList { "state a:1", "diff -z:9" } << QStringList { "a:[1]" }
        << QStringList { "join a - [1]", "sync", "sync" };
    QTest::addRow("leave of an unknown meta keeps the key")
        << QStringList { "state a:1", "diff -a:9" } << QStringList { "a:[1]" }
        << QStringList { "join a - [1]", "sync", "leave a [1] [9]", "sync" };
    QTest::addRow("a new state drops keys it lacks")
        << QStringList { "state a:1 b:2", "state a:1" } << QStringList { "a:[1]" }
        << QStringList { "join a - [1]", "join b - [2]", "sync", "leave b [] [2]", "sync" };
    QTest::addRow("a removed key comes back at the end")
        << QStringList { "state a:1 b:2", "diff -a:1", "diff +a:3" }
        << QStringList { "b:[2]", "a:[3]" }
        << QStringList { "join a - [1]", "join b - [2]", "sync", "leave a [] [1]",
                         "sync",         "join a - [3]", "sync" };
    QTest::addRow("integer-like keys first, ascending")
        << QStringList { "state b:1 10:2 a:3 2:4 01:5", "diff +1:6 +c:7 +0:8" }
        << QStringList { "0:[8]", "1:[6]", "2:[4]", "10:[2]", "01:[5]", "a:[3]", "b:[1]", "c:[7]" }
        << QStringList { "join 2 - [4]", "join 10 - [2]", "join 01 - [5]", "join a - [3]",
                         "join b - [1]", "sync",          "join 0 - [8]",  "join 1 - [6]",
                         "join c - [7]", "sync" };
    QTest::addRow("2^32-1 is not an array index")
        << QStringList { "state 4294967295:1 4294967294:2 x:3" }
        << QStringList { "4294967294:[2]", "4294967295:[1]", "x:[3]" }
        << QStringList { "join 4294967294 - [2]", "join 4294967295 - [1]", "join x - [3]", "sync" };
}

void tst_PresenceSync::sequence()
{
    QFETCH(QStringList, steps);
    QFETCH(QStringList, expectedList);
    QFETCH(QStringList, expectedEvents);

    QString channelJoinRef = QStringLiteral("1");
    PresenceSync sync([&channelJoinRef] { return channelJoinRef; });
    QStringList events;
    connect(&sync, &PresenceSync::joined, this,
            [&events](const QString &key, const QJsonObject &current, const QJsonObject &added) {
                events << QStringLiteral("join %1 %2 %3").arg(key, refs(current), refs(added));
            });
    connect(&sync, &PresenceSync::left, this,
            [&events](const QString &key, const QJsonObject &current, const QJsonObject &left) {
                events << QStringLiteral("leave %1 %2 %3").arg(key, refs(current), refs(left));
            });
    connect(&sync, &PresenceSync::synced, this, [&events] { events << QStringLiteral("sync"); });

    for (const QString &step : std::as_const(steps)) {
        const QString kind = step.section(QLatin1Char(' '), 0, 0);
        const QString arg = step.section(QLatin1Char(' '), 1);
        if (kind == QLatin1String("state"))
            sync.applyState(presences(arg));
        else if (kind == QLatin1String("diff"))
            sync.applyDiff(diff(arg));
        else if (kind == QLatin1String("rejoin"))
            channelJoinRef = arg;
        else
            QFAIL(qPrintable(QStringLiteral("bad step ") + step));
    }

    QCOMPARE(listed(sync.state()), expectedList);
    QCOMPARE(events, expectedEvents);
    QCOMPARE(sync.pendingDiffCount(), 0);
    QVERIFY(!sync.inPendingSyncState());
    QCOMPARE(sync.list().size(), expectedList.size());
}

void tst_PresenceSync::syncDiffCallbackArgumentsForUpdate()
{
    // An update (§5.3): joins[a] = new meta with phx_ref_prev, leaves[a] = old meta.
    const QJsonObject oldMeta { { "phx_ref", "r1" }, { "status", "online" } };
    const QJsonObject otherMeta { { "phx_ref", "r2" }, { "status", "busy" } };
    const QJsonObject newMeta { { "phx_ref", "r3" },
                                { "phx_ref_prev", "r1" },
                                { "status", "away" } };
    PresenceMap state;
    state.insert("a", QJsonObject { { "metas", QJsonArray { oldMeta, otherMeta } } });
    PresenceSync::Diff update;
    update.joins.insert("a", QJsonObject { { "metas", QJsonArray { newMeta } } });
    update.leaves.insert("a", QJsonObject { { "metas", QJsonArray { oldMeta } } });

    QList<QJsonObject> joinArgs, leaveArgs;
    const PresenceMap after = PresenceSync::syncDiff(
        state, update,
        [&](const QString &key, const QJsonObject &current, const QJsonObject &added) {
            QCOMPARE(key, QStringLiteral("a"));
            joinArgs << current << added;
        },
        [&](const QString &key, const QJsonObject &current, const QJsonObject &left) {
            QCOMPARE(key, QStringLiteral("a"));
            leaveArgs << current << left;
        });

    QCOMPARE(joinArgs.size(), 2);
    QCOMPARE(joinArgs.at(0), state.value("a")); // the presence before the join
    // phoenix.js 1.8.16 hands onJoin the joined presence from the diff (the state holds the
    // merged entry, kept metas in front); tst_presencedifferential checks it against Node.
    QCOMPARE(joinArgs.at(1).value("metas").toArray(), (QJsonArray { newMeta }));
    QCOMPARE(leaveArgs.size(), 2);
    QCOMPARE(leaveArgs.at(0).value("metas").toArray(), (QJsonArray { otherMeta, newMeta }));
    QCOMPARE(leaveArgs.at(1), update.leaves.value("a"));
    QCOMPARE(after.value("a").value("metas").toArray(), (QJsonArray { otherMeta, newMeta }));
}

void tst_PresenceSync::syncStateOnlyReportsRealDifferences()
{
    // After a hub restart every phx_ref is new: one join and one leave per key, nothing else.
    const PresenceMap before = PresenceMap::fromJson(presences("a:1,2 b:3"));
    const PresenceMap restarted = PresenceMap::fromJson(presences("a:2,4 b:3 c:5"));
    QStringList events;
    const PresenceMap after = PresenceSync::syncState(
        before, restarted,
        [&](const QString &key, const QJsonObject &current, const QJsonObject &added) {
            events << QStringLiteral("join %1 %2 %3").arg(key, refs(current), refs(added));
        },
        [&](const QString &key, const QJsonObject &current, const QJsonObject &left) {
            events << QStringLiteral("leave %1 %2 %3").arg(key, refs(current), refs(left));
        });
    QCOMPARE(events, (QStringList { "join a [1,2] [4]", "join c - [5]", "leave a [2,4] [1]" }));
    QCOMPARE(listed(after), (QStringList { "a:[2,4]", "b:[3]", "c:[5]" }));
    QCOMPARE(listed(before), (QStringList { "a:[1,2]", "b:[3]" })); // input untouched
}

void tst_PresenceSync::syncDiffKeepsExtraFieldsAndLeavesInputAlone()
{
    // Presence fetch/2 may add fields next to "metas"; a join replaces the entry's fields.
    PresenceMap state = PresenceMap::fromJson(presences("a:1"));
    PresenceSync::Diff join;
    QJsonObject joined = presences("a:2").value("a").toObject();
    joined.insert("user", QJsonObject { { "name", "Ana" } });
    join.joins.insert("a", joined);
    const PresenceMap after = PresenceSync::syncDiff(state, join);
    QCOMPARE(after.value("a").value("user").toObject().value("name").toString(),
             QStringLiteral("Ana"));
    QCOMPARE(refs(after.value("a")), QStringLiteral("[1,2]"));
    QCOMPARE(refs(state.value("a")), QStringLiteral("[1]"));
    QCOMPARE(refs(join.joins.value("a")), QStringLiteral("[2]"));
}

void tst_PresenceSync::listWithChooser()
{
    const PresenceMap state = PresenceMap::fromJson(presences("bob:1,2 7:3 ana:4"));
    const QStringList firstRefs
        = PresenceSync::list(state, [](const QString &key, const QJsonObject &p) {
              return key + QLatin1Char('=')
                  + p.value("metas").toArray().first().toObject().value("phx_ref").toString();
          });
    QCOMPARE(firstRefs, (QStringList { "7=3", "ana=4", "bob=1" }));
    QCOMPARE(PresenceSync::list(state).size(), 3);
}

void tst_PresenceSync::arrayIndexKeys_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("isIndex");
    QTest::addRow("zero") << "0" << true;
    QTest::addRow("42") << "42" << true;
    QTest::addRow("max index") << "4294967294" << true;
    QTest::addRow("2^32-1") << "4294967295" << false;
    QTest::addRow("leading zero") << "042" << false;
    QTest::addRow("sign") << "-1" << false;
    QTest::addRow("empty") << "" << false;
    QTest::addRow("uuid") << "0b6e6f2c-7d1a" << false;
    QTest::addRow("eleven digits") << "10000000000" << false;
}

void tst_PresenceSync::arrayIndexKeys()
{
    QFETCH(QString, key);
    QFETCH(bool, isIndex);
    QCOMPARE(PresenceMap::isArrayIndex(key), isIndex);
}

QTEST_GUILESS_MAIN(tst_PresenceSync)
#include "tst_presencesync.moc"
