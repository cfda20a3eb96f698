// The client's trust rules (docs/protocol.md, 1.3), from what it verified: the key everything
// kept per hub is filed under, how far a beacon may be believed, and when plain ws:// is not
// spoken to a hub.

#include "client/hubbrowser.h"
#include "client/hubtrust.h"

#include <QTest>

using namespace Parley::Client;

namespace {

const QString certA(64, u'a');
const QString certB(64, u'b');

DiscoveredHub beacon(const QString &hubId, const QString &address, quint16 port,
                     const QString &fingerprint)
{
    DiscoveredHub hub;
    hub.hubId = hubId;
    hub.name = QStringLiteral("Team hub");
    hub.address = QHostAddress(address);
    hub.port = port;
    hub.tls = !fingerprint.isEmpty();
    hub.fingerprint = fingerprint;
    return hub;
}

// Team hub (id "team") verified with certificate A at 10.0.0.5:4000; a plain hub "lab" reached
// at 10.0.0.9:4000; and an address the user allowed plain.
TrustRecords records()
{
    TrustRecords trust;
    trust.pins.insert(QStringLiteral("10.0.0.5:4000"), certA);
    trust.verifiedHubs.insert(QStringLiteral("team"), certA);
    trust.plainHubs.insert(QStringLiteral("lab"), { QStringLiteral("10.0.0.9:4000") });
    trust.plainAllowed.insert(QStringLiteral("10.0.0.7:4000"));
    return trust;
}

} // namespace

class tst_TrustRules : public QObject
{
    Q_OBJECT
private slots:
    void trustKeyIsTheConnectBinding();
    void beacons_data();
    void beacons();
    void plainWebSocket_data();
    void plainWebSocket();
    void browserKeepsAForgedBeaconBesideTheRealOne();
};

void tst_TrustRules::trustKeyIsTheConnectBinding()
{
    QCOMPARE(trustKeyOf(QUrl("wss://10.0.0.5:4000/socket"), certA, QStringLiteral("team")),
             "fp:" + certA);
    QCOMPARE(trustKeyOf(QUrl("wss://10.0.0.5:4000/socket"), {}, QStringLiteral("team")), QString());
    QCOMPARE(trustKeyOf(QUrl("ws://10.0.0.9:4000/socket"), certA, QStringLiteral("lab")),
             QStringLiteral("hub:lab"));
    QCOMPARE(trustKeyOf(QUrl("ws://10.0.0.9:4000/socket"), {}, {}), QString());
    QVERIFY(isEncryptedKey("fp:" + certA));
    QVERIFY(!isEncryptedKey(QStringLiteral("hub:lab")));
    QVERIFY(!isEncryptedKey(QString()));
}

void tst_TrustRules::beacons_data()
{
    QTest::addColumn<DiscoveredHub>("hub");
    QTest::addColumn<int>("trust");
    QTest::addRow("the verified hub, where it was verified")
        << beacon("team", "10.0.0.5", 4000, certA) << int(BeaconTrust::Known);
    QTest::addRow("its id, another certificate")
        << beacon("team", "10.0.0.66", 4000, certB) << int(BeaconTrust::Unverified);
    QTest::addRow("its id and certificate, another address")
        << beacon("team", "10.0.0.66", 4000, certA) << int(BeaconTrust::Unverified);
    QTest::addRow("its id and address, another port")
        << beacon("team", "10.0.0.5", 4001, certA) << int(BeaconTrust::Unverified);
    QTest::addRow("its id without encryption")
        << beacon("team", "10.0.0.5", 4000, {}) << int(BeaconTrust::Unverified);
    QTest::addRow("another id at its address, another certificate")
        << beacon("other", "10.0.0.5", 4000, certB) << int(BeaconTrust::Unverified);
    QTest::addRow("a hub nobody knows")
        << beacon("new", "10.0.0.8", 4000, certB) << int(BeaconTrust::New);
    QTest::addRow("a plain hub nobody knows")
        << beacon("new", "10.0.0.8", 4000, {}) << int(BeaconTrust::New);
    QTest::addRow("the known plain hub, where it was")
        << beacon("lab", "10.0.0.9", 4000, {}) << int(BeaconTrust::New);
    QTest::addRow("the known plain hub's id elsewhere")
        << beacon("lab", "10.0.0.66", 4000, {}) << int(BeaconTrust::Unverified);
}

void tst_TrustRules::beacons()
{
    QFETCH(DiscoveredHub, hub);
    QFETCH(int, trust);
    QCOMPARE(int(judgeBeacon(hub, records())), trust);
}

void tst_TrustRules::plainWebSocket_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("hubId");
    QTest::addColumn<QString>("refusal");
    QTest::addRow("a hub verified over TLS, anywhere") << "ws://10.0.0.66:4000/socket"
                                                       << "team"
                                                       << "not_encrypted";
    QTest::addRow("a plain hub's id at another address") << "ws://10.0.0.66:4000/socket"
                                                         << "lab"
                                                         << "unverified_hub";
    QTest::addRow("the plain hub where it was") << "ws://10.0.0.9:4000/socket"
                                                << "lab"
                                                << "";
    QTest::addRow("a plain hub nobody knows") << "ws://10.0.0.66:4000/socket"
                                              << "new"
                                              << "";
    QTest::addRow("the user chose plain at this address") << "ws://10.0.0.7:4000/socket"
                                                          << "team"
                                                          << "";
    QVERIFY(records().isEncryptedAddress(QUrl("ws://10.0.0.5:4000/socket")));
    QVERIFY(!records().isEncryptedAddress(QUrl("ws://10.0.0.9:4000/socket")));
}

void tst_TrustRules::plainWebSocket()
{
    QFETCH(QString, url);
    QFETCH(QString, hubId);
    QFETCH(QString, refusal);
    QCOMPARE(records().plainRefusal(QUrl(url), hubId), refusal);
}

void tst_TrustRules::browserKeepsAForgedBeaconBesideTheRealOne()
{
    // The keys tell beacons apart by id, address, port and certificate: a forged one with the
    // real hub's id is another entry, never a replacement.
    const DiscoveredHub real = beacon("team", "10.0.0.5", 4000, certA);
    QVERIFY(real.key() != beacon("team", "10.0.0.66", 4000, certA).key());
    QVERIFY(real.key() != beacon("team", "10.0.0.5", 4000, certB).key());
    QVERIFY(real.key() != beacon("team", "10.0.0.5", 4001, certA).key());
    QVERIFY(real.key() != beacon("team", "10.0.0.5", 4000, {}).key());
    DiscoveredHub later = real;
    later.users = 7; // what changes between beacons of one hub does not make another
    QCOMPARE(later.key(), real.key());
}

QTEST_GUILESS_MAIN(tst_TrustRules)
#include "tst_trustrules.moc"
