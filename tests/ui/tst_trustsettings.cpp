// AppSettings and what the user trusts (docs/protocol.md, 1.3): the records, and the one-time
// move of older settings (filed by hub id, address or URL) to trust keys. The move must never
// hand one hub's rooms, read places or passwords to another: older versions merged remembered
// hubs by the id a hub claimed, so one entry may hold the addresses of two hubs.

#include "ui/appsettings.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace Parley;

namespace {

const QString certRogue(64, u'e');
const QString certTeam(64, u'a');
const QString certLab(64, u'c');

QVariantMap recent(const QString &id, const QStringList &urls)
{
    return { { "id", id }, { "name", id + " hub" }, { "urls", urls }, { "seen", 1 } };
}

QSettings raw()
{
    return QSettings(QSettings::defaultFormat(), QSettings::UserScope, QStringLiteral("Parley"),
                     QStringLiteral("parley"));
}

} // namespace

class tst_TrustSettings : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup() { raw().clear(); }
    void olderSettingsMoveToWhatEachAddressVerified();
    void plainChoiceKeepsTheVerification();
    void changedPinForgetsWhatTheOldCertificateVerified();

private:
    QTemporaryDir m_dir;
};

void tst_TrustSettings::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
}

void tst_TrustSettings::olderSettingsMoveToWhatEachAddressVerified()
{
    {
        QSettings old = raw();
        // "X": Team hub at 127.0.0.5 and a rogue at 127.0.0.66 that claimed its id, merged;
        // "Y": one encrypted hub; "Z": a plain one.
        old.setValue(
            "recent/hubs",
            QVariantList {
                recent("X", { "wss://127.0.0.66:4000/socket", "wss://127.0.0.5:4000/socket" }),
                recent("Y", { "wss://127.0.0.7:4000/socket" }),
                recent("Z", { "ws://127.0.0.9:4000/socket" }) });
        old.setValue("trust/pins",
                     QVariantMap { { "127.0.0.66:4000", certRogue },
                                   { "127.0.0.5:4000", certTeam },
                                   { "127.0.0.7:4000", certLab } });
        old.setValue("topics/X", QStringList { "room:secret" });
        old.setValue("read/X", QVariantMap { { "room:secret", 41 } });
        old.setValue("topics/Y", QStringList { "room:a" });
        old.setValue("read/Y", QVariantMap { { "room:a", 7 } });
        old.setValue("topics/Z", QStringList { "room:z" });
        old.setValue("session/drafts",
                     QVariantMap { { "wss://127.0.0.7:4000/socket room:a", "half a thought" } });
    }
    Ui::AppSettings settings;
    settings.migrateToTrustKeys();
    const QString lab = "fp:" + certLab;

    // Y, one certificate: everything filed under it, and the hub verified with it.
    QCOMPARE(settings.openTopics(lab), QStringList { "room:a" });
    QCOMPARE(settings.readPositions(lab).value("room:a"), 7);
    QCOMPARE(settings.trustRecords().verifiedHubs.value("Y"), certLab);
    QCOMPARE(settings.drafts().value(lab + " room:a"), QStringLiteral("half a thought"));
    // Z, plain: by its id.
    QCOMPARE(settings.openTopics("hub:Z"), QStringList { "room:z" });
    // X: two certificates, so nobody gets its rooms and read places, and nothing is verified.
    QCOMPARE(settings.openTopics("fp:" + certRogue), QStringList());
    QCOMPARE(settings.openTopics("fp:" + certTeam), QStringList());
    QCOMPARE(raw().value("topics/X").toStringList(), QStringList { "room:secret" });
    QVERIFY(!settings.trustRecords().verifiedHubs.contains("X"));

    const QList<Ui::RecentHub> hubs = settings.recentHubs();
    QCOMPARE(hubs.size(), 3);
    QCOMPARE(hubs.at(0).trustKey, QString());
    QCOMPARE(hubs.at(1).trustKey, lab);
    QCOMPARE(hubs.at(2).trustKey, QStringLiteral("hub:Z"));

    // Kept passwords: each address's to that address's own certificate; a plain hub's and
    // rooms of X removed or left, never moved to the rogue.
    QList<std::tuple<QString, QString, QString>> renames;
    for (const Ui::AppSettings::SecretRename &rename : settings.takeSecretRenames())
        renames.append({ rename.oldHub, rename.topic, rename.trustKey });
    std::sort(renames.begin(), renames.end());
    const QList<std::tuple<QString, QString, QString>> expected {
        { "127.0.0.5:4000", "", "fp:" + certTeam },
        { "127.0.0.66:4000", "", "fp:" + certRogue },
        { "127.0.0.7:4000", "", lab },
        { "127.0.0.9:4000", "", "" },
        { "Y", "room:a", lab },
        { "Z", "room:z", "hub:Z" }, // a plain hub's: removed (the Workspace keeps none for it)
    };
    QCOMPARE(renames, expected);

    // Once.
    settings.migrateToTrustKeys();
    QVERIFY(settings.takeSecretRenames().isEmpty());
}

void tst_TrustSettings::plainChoiceKeepsTheVerification()
{
    Ui::AppSettings settings;
    settings.setPinnedFingerprint("127.0.0.5:4000", certTeam);
    settings.setVerifiedHub("team", certTeam);
    settings.allowPlain("127.0.0.5:4000");
    const Client::TrustRecords records = settings.trustRecords();
    QVERIFY(records.pins.isEmpty());
    QVERIFY(records.plainAllowed.contains("127.0.0.5:4000"));
    // Still verified: its id is refused over plain ws:// anywhere but where the user chose it.
    QCOMPARE(records.verifiedHubs.value("team"), certTeam);
    QCOMPARE(records.plainRefusal(QUrl("ws://127.0.0.66:4000/socket"), "team"),
             QStringLiteral("not_encrypted"));
    QCOMPARE(records.plainRefusal(QUrl("ws://127.0.0.5:4000/socket"), "team"), QString());
    // Plain hubs are remembered by address, four at most each.
    for (int i = 0; i < 6; ++i)
        settings.notePlainHub("lab", QStringLiteral("127.0.0.%1:4000").arg(20 + i));
    QCOMPARE(settings.trustRecords().plainHubs.value("lab").size(), 4);
    QVERIFY(settings.trustRecords().plainHubs.value("lab").contains("127.0.0.25:4000"));
}

void tst_TrustSettings::changedPinForgetsWhatTheOldCertificateVerified()
{
    // The user trusts a new certificate at an address (the host set the hub up again): the old
    // one verifies nothing any more, so the hub is verified anew, not warned about.
    Ui::AppSettings settings;
    settings.setPinnedFingerprint("127.0.0.5:4000", certTeam);
    settings.setVerifiedHub("team", certTeam);
    settings.setPinnedFingerprint("127.0.0.5:4000", certLab);
    QVERIFY(!settings.trustRecords().verifiedHubs.contains("team"));
    // Unless the old one is still trusted elsewhere.
    settings.setPinnedFingerprint("127.0.0.6:4000", certLab);
    settings.setVerifiedHub("lab", certLab);
    settings.setPinnedFingerprint("127.0.0.5:4000", certRogue);
    QCOMPARE(settings.trustRecords().verifiedHubs.value("lab"), certLab);
}

QTEST_GUILESS_MAIN(tst_TrustSettings)
#include "tst_trustsettings.moc"
