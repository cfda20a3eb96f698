// Differential test: the same presence_state / presence_diff sequences go through the stock
// phoenix.js Presence (tests/interop/presence-reference.mjs, under Node) and through PresenceSync;
// the callback sequences (onJoin, onLeave, onSync with the list at that moment) and the final
// lists must be identical. Hand-written rows (tests/unit/presence_scenarios.json) cover the named
// cases; seeded random rows cover the rest.

#include "client/presencemap.h"
#include "client/presencesync.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace Parley::Client;

class tst_PresenceDifferential : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void sameAsPhoenixJs_data();
    void sameAsPhoenixJs();

private:
    QJsonArray m_reference;
};

void tst_PresenceDifferential::initTestCase()
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    // The reference is phoenix.js itself: without node there is nothing to compare against, and
    // that must fail, not skip (a skipped initTestCase reports every case as passed).
    QVERIFY2(!node.isEmpty(), "node is not installed: tools/setup.sh installs it");
    QFile scenarios(QStringLiteral(PARLEY_SOURCE_DIR "/tests/unit/presence_scenarios.json"));
    QVERIFY(scenarios.open(QIODevice::ReadOnly));
    QProcess reference;
    reference.setWorkingDirectory(QStringLiteral(PARLEY_SOURCE_DIR "/tests/interop"));
    reference.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    reference.start(node, { QStringLiteral("presence-reference.mjs") });
    QVERIFY(reference.waitForStarted());
    reference.write(scenarios.readAll());
    reference.closeWriteChannel();
    QVERIFY(reference.waitForFinished(60000));
    QCOMPARE(reference.exitCode(), 0);
    QJsonParseError error;
    m_reference = QJsonDocument::fromJson(reference.readAllStandardOutput(), &error).array();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(m_reference.size() >= 30);
}

void tst_PresenceDifferential::sameAsPhoenixJs_data()
{
    QTest::addColumn<QJsonObject>("scenario");
    for (const QJsonValue &scenario : std::as_const(m_reference))
        QTest::addRow("%s", qPrintable(scenario[QLatin1String("name")].toString())) << scenario.toObject();
}

void tst_PresenceDifferential::sameAsPhoenixJs()
{
    QFETCH(QJsonObject, scenario);
    QString joinRef;
    PresenceSync sync([&joinRef] { return joinRef; });
    QJsonArray events;
    connect(&sync, &PresenceSync::joined, this,
            [&events](const QString &key, const QJsonObject &current, const QJsonObject &joined) {
                events.append(QJsonArray { QStringLiteral("join"), key, current, joined });
            });
    connect(&sync, &PresenceSync::left, this,
            [&events](const QString &key, const QJsonObject &current, const QJsonObject &left) {
                events.append(QJsonArray { QStringLiteral("leave"), key, current, left });
            });
    connect(&sync, &PresenceSync::synced, this, [&events, &sync] {
        QJsonArray list;
        for (const QJsonObject &presence : sync.list())
            list.append(presence);
        events.append(QJsonArray { QStringLiteral("sync"), list });
    });

    const QJsonArray steps = scenario[QLatin1String("steps")].toArray();
    for (const QJsonValue &value : steps) {
        const QJsonObject step = value.toObject();
        if (step.contains(QLatin1String("join_ref")))
            joinRef = step[QLatin1String("join_ref")].toString();
        else if (step.contains(QLatin1String("state")))
            sync.applyState(step[QLatin1String("state")].toObject());
        else
            sync.applyDiff(step[QLatin1String("diff")].toObject());
    }

    const QJsonArray expected = scenario[QLatin1String("events")].toArray();
    for (qsizetype i = 0; i < std::min(events.size(), expected.size()); ++i) {
        QVERIFY2(events[i] == expected[i],
                 qPrintable(QStringLiteral("event %1 differs:\n  ours:       %2\n  phoenix.js: %3")
                                    .arg(i)
                                    .arg(QString::fromUtf8(QJsonDocument(events[i].toArray()).toJson(QJsonDocument::Compact)),
                                         QString::fromUtf8(QJsonDocument(expected[i].toArray()).toJson(QJsonDocument::Compact)))));
    }
    QCOMPARE(events.size(), expected.size());

    QJsonArray list;
    const PresenceMap &state = sync.state();
    for (const QString &key : state.keys())
        list.append(QJsonObject { { QStringLiteral("key"), key }, { QStringLiteral("presence"), state.value(key) } });
    QCOMPARE(list, scenario[QLatin1String("list")].toArray());
}

QTEST_MAIN(tst_PresenceDifferential)
#include "tst_presencedifferential.moc"
