// LAN discovery in loopback mode only (127.0.0.1 and 127.255.255.255): a hub's Beacon and the
// client's HubBrowser see each other on the shared UDP port, a query is answered at once, a
// silent hub expires, and several browsers on one machine all see the hub. Other hubs on this
// machine may announce too, so every check looks for this test's own hub id.

#include "client/hubbrowser.h"
#include "hub/beacon.h"
#include "protocol/discovery.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkDatagram>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QUdpSocket>
#include <QUuid>

#include <optional>

using Parley::Client::DiscoveredHub;
using Parley::Client::HubBrowser;
using Parley::Hub::Beacon;
using Parley::Hub::BeaconInfo;
namespace Discovery = Parley::Protocol::Discovery;
Q_DECLARE_METATYPE(Parley::Protocol::Discovery::InterfaceAddress)

namespace {

std::optional<DiscoveredHub> find(const HubBrowser &browser, const QString &hubId)
{
    const QList<DiscoveredHub> hubs = browser.hubs();
    for (const DiscoveredHub &hub : hubs) {
        if (hub.hubId == hubId)
            return hub;
    }
    return std::nullopt;
}

BeaconInfo info()
{
    BeaconInfo info;
    info.hubId = QUuid::createUuid().toString(QUuid::Id128);
    info.name = QStringLiteral("Ana's test hub");
    info.port = 4123;
    info.rooms = 3;
    info.users = 5;
    info.locked = true;
    info.fingerprint = QStringLiteral("3f2a91c077de0b14c2d90011223344556677889900aabbccddeeff0011223344");
    return info;
}

QList<QHostAddress> loopbackTargets()
{
    return { QHostAddress(QStringLiteral("127.0.0.1")),
             QHostAddress(QStringLiteral("127.255.255.255")) };
}

} // namespace

class tst_Discovery : public QObject
{
    Q_OBJECT

private slots:
    void loopbackTargetsAreOnlyLoopback();
    void modeIsReadFromText_data();
    void modeIsReadFromText();
    void lanTargetsOfInterfaces_data();
    void lanTargetsOfInterfaces();
    void lanTargetsOfThisMachineFollowTheSameRule();
    void datagramHasExactlyTheProtocolFields();
    void browserSeesBeaconWithItsFields();
    void hubExpiresAfterBeaconStops();
    void queryIsAnsweredAtOnce();
    void twoBrowsersBothSeeTheHub();
    void queryFromAnotherPortGetsDirectAnswer();
};

void tst_Discovery::loopbackTargetsAreOnlyLoopback()
{
    QCOMPARE(Discovery::targets(Discovery::Mode::Loopback), loopbackTargets());
    QVERIFY(Discovery::targets(Discovery::Mode::Off).isEmpty());
}

void tst_Discovery::modeIsReadFromText_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("mode"); // -1: refused
    QTest::addRow("off") << "off" << int(Discovery::Mode::Off);
    QTest::addRow("loopback") << "loopback" << int(Discovery::Mode::Loopback);
    QTest::addRow("lan") << "lan" << int(Discovery::Mode::Lan);
    QTest::addRow("upper case, spaces") << " LoopBack " << int(Discovery::Mode::Loopback);
    QTest::addRow("empty") << "" << -1;
    QTest::addRow("unknown") << "broadcast" << -1;
    QTest::addRow("prefix") << "loop" << -1;
}

void tst_Discovery::modeIsReadFromText()
{
    QFETCH(QString, text);
    QFETCH(int, mode);
    const std::optional<Discovery::Mode> parsed = Discovery::modeFromString(text);
    QCOMPARE(parsed ? int(*parsed) : -1, mode);
}

void tst_Discovery::lanTargetsOfInterfaces_data()
{
    using Entry = Discovery::InterfaceAddress;
    const auto v4 = [](const char *text) { return QHostAddress(QString::fromLatin1(text)); };
    // The limited (all-hosts) broadcast address, as an interface with a /0 netmask would report
    // it. Only computed here: lanTargetsOf() must never return it, and nothing is sent.
    const QHostAddress allOnes(~quint32(0));
    const Entry lan { true, false, true, v4("192.168.1.20"), v4("192.168.1.255") };

    QTest::addColumn<QList<Entry>>("interfaces");
    QTest::addColumn<QList<QHostAddress>>("expected");
    QTest::addRow("one LAN interface") << QList<Entry> { lan } << QList<QHostAddress> { v4("192.168.1.255") };
    QTest::addRow("loopback interface")
            << QList<Entry> { { true, true, false, v4("127.0.0.1"), {} } } << QList<QHostAddress> {};
    QTest::addRow("loopback flagged broadcast-capable")
            << QList<Entry> { { true, true, true, v4("127.0.0.1"), v4("127.255.255.255") } }
            << QList<QHostAddress> {};
    QTest::addRow("interface down")
            << QList<Entry> { { false, false, true, v4("192.168.1.20"), v4("192.168.1.255") } }
            << QList<QHostAddress> {};
    QTest::addRow("point-to-point VPN, no broadcast")
            << QList<Entry> { { true, false, false, v4("10.8.0.6"), {} } } << QList<QHostAddress> {};
    QTest::addRow("IPv6 address")
            << QList<Entry> { { true, false, true, QHostAddress(QStringLiteral("fe80::1")), {} } }
            << QList<QHostAddress> {};
    QTest::addRow("netmask /0 gives the limited broadcast")
            << QList<Entry> { { true, false, true, v4("10.0.0.1"), allOnes } } << QList<QHostAddress> {};
    QTest::addRow("two addresses in one subnet: one target")
            << QList<Entry> { lan, { true, false, true, v4("192.168.1.21"), v4("192.168.1.255") } }
            << QList<QHostAddress> { v4("192.168.1.255") };
    QTest::addRow("a docker bridge is skipped")
        << QList<Entry> { { true, false, true, v4("172.17.0.1"), v4("172.17.255.255"),
                            QStringLiteral("docker0"), true },
                          lan }
        << QList<QHostAddress> { v4("192.168.1.255") };
    QTest::addRow("two interfaces, in order")
            << QList<Entry> { { true, false, true, v4("10.1.2.3"), v4("10.1.255.255") },
                              { true, true, false, v4("127.0.0.1"), {} }, lan }
            << QList<QHostAddress> { v4("10.1.255.255"), v4("192.168.1.255") };
}

void tst_Discovery::lanTargetsOfInterfaces()
{
    QFETCH(QList<Discovery::InterfaceAddress>, interfaces);
    QFETCH(QList<QHostAddress>, expected);
    QCOMPARE(Discovery::lanTargetsOf(interfaces), expected);
    // Asked to include virtual interfaces, their broadcast addresses come in their place.
    QList<QHostAddress> withVirtual;
    for (const Discovery::InterfaceAddress &entry : interfaces) {
        const QList<QHostAddress> one = Discovery::lanTargetsOf({ entry }, true);
        for (const QHostAddress &address : one) {
            if (!withVirtual.contains(address))
                withVirtual << address;
        }
    }
    QCOMPARE(Discovery::lanTargetsOf(interfaces, true), withVirtual);
    QVERIFY(Discovery::isVirtualInterface(QStringLiteral("wg0"), false));
    QVERIFY(Discovery::isVirtualInterface(QStringLiteral("anything"), true));
    QVERIFY(!Discovery::isVirtualInterface(QStringLiteral("enp3s0"), false));
}

void tst_Discovery::lanTargetsOfThisMachineFollowTheSameRule()
{
    // Only computes the addresses; nothing is sent.
    const QList<QHostAddress> targets = Discovery::targets(Discovery::Mode::Lan);
    QCOMPARE(targets, Discovery::lanTargetsOf(Discovery::localInterfaces()));
    for (const QHostAddress &address : targets) {
        QVERIFY2(!address.isBroadcast(), qPrintable(address.toString()));
        QVERIFY2(!address.isLoopback(), qPrintable(address.toString()));
    }
}

void tst_Discovery::datagramHasExactlyTheProtocolFields()
{
    const BeaconInfo beacon = info();
    const QJsonObject object = QJsonDocument::fromJson(Beacon::datagram(beacon)).object();
    QStringList keys = object.keys();
    keys.sort();
    QCOMPARE(
        keys,
        (QStringList { QStringLiteral("fp"), QStringLiteral("hub_id"), QStringLiteral("locked"),
                       QStringLiteral("name"), QStringLiteral("parley"), QStringLiteral("port"),
                       QStringLiteral("rooms"), QStringLiteral("tls"), QStringLiteral("users") }));
    QCOMPARE(object.value(QLatin1String("tls")), QJsonValue(true));
    QCOMPARE(object.value(QLatin1String("fp")).toString(), beacon.fingerprint);
    // A plain hub says so and announces no fingerprint.
    BeaconInfo plain = beacon;
    plain.fingerprint.clear();
    const QJsonObject plainObject = QJsonDocument::fromJson(Beacon::datagram(plain)).object();
    QCOMPARE(plainObject.value(QLatin1String("tls")), QJsonValue(false));
    QVERIFY(!plainObject.contains(QLatin1String("fp")));
    // A wss:// hub that does not say which certificate is its own is ignored.
    QVERIFY(!DiscoveredHub::fromDatagram(
            R"({"parley": 1, "hub_id": "h", "name": "n", "port": 4000, "tls": true})", QHostAddress::LocalHost));
    QVERIFY(!DiscoveredHub::fromDatagram(
            R"({"parley": 1, "hub_id": "h", "name": "n", "port": 4000, "tls": true, "fp": "xyz"})", QHostAddress::LocalHost));
    QCOMPARE(object.value(QLatin1String("parley")), QJsonValue(1));
    QCOMPARE(object.value(QLatin1String("hub_id")).toString(), beacon.hubId);
    QCOMPARE(object.value(QLatin1String("port")), QJsonValue(4123));
    QCOMPARE(object.value(QLatin1String("locked")), QJsonValue(true));
    QVERIFY(Beacon::isQuery(R"({"parley": 1, "query": true})"));
    QVERIFY(!Beacon::isQuery(Beacon::datagram(beacon)));
    QVERIFY(
        !DiscoveredHub::fromDatagram(R"({"parley": 1, "query": true})", QHostAddress::LocalHost));
    QVERIFY(!DiscoveredHub::fromDatagram("not json", QHostAddress::LocalHost));
    QVERIFY(DiscoveredHub::fromDatagram(Beacon::datagram(beacon), QHostAddress::LocalHost));
}

void tst_Discovery::browserSeesBeaconWithItsFields()
{
    const BeaconInfo beacon = info();
    HubBrowser browser;
    browser.start(Parley::Client::DiscoveryMode::Loopback);
    QVERIFY2(browser.isListening(), qPrintable(browser.errorString()));
    Beacon sender(Parley::Hub::DiscoveryMode::Loopback, [beacon] { return beacon; });
    sender.setIntervalMs(100);
    QString error;
    QVERIFY2(sender.start(&error), qPrintable(error));

    QTRY_VERIFY_WITH_TIMEOUT(find(browser, beacon.hubId).has_value(), 5000);
    const DiscoveredHub hub = *find(browser, beacon.hubId);
    QCOMPARE(hub.name, beacon.name);
    QCOMPARE(hub.port, beacon.port);
    QCOMPARE(hub.rooms, 3);
    QCOMPARE(hub.users, 5);
    QVERIFY(hub.locked);
    QVERIFY(hub.tls);
    QCOMPARE(hub.fingerprint, beacon.fingerprint);
    QVERIFY2(hub.address.isLoopback(), qPrintable(hub.address.toString()));
    QVERIFY(hub.lastSeenMs > 0);
}

void tst_Discovery::hubExpiresAfterBeaconStops()
{
    const BeaconInfo beacon = info();
    HubBrowser browser;
    browser.setExpiryMs(700);
    browser.start(Parley::Client::DiscoveryMode::Loopback);
    QVERIFY2(browser.isListening(), qPrintable(browser.errorString()));
    Beacon sender(Parley::Hub::DiscoveryMode::Loopback, [beacon] { return beacon; });
    sender.setIntervalMs(100);
    QVERIFY(sender.start());
    QTRY_VERIFY_WITH_TIMEOUT(find(browser, beacon.hubId).has_value(), 5000);
    // Still there well past the expiry while the beacon keeps announcing.
    const qint64 firstSeen = find(browser, beacon.hubId)->lastSeenMs;
    QTRY_VERIFY_WITH_TIMEOUT(find(browser, beacon.hubId).has_value()
                                 && find(browser, beacon.hubId)->lastSeenMs > firstSeen + 1000,
                             5000);

    sender.stop();
    QElapsedTimer elapsed;
    elapsed.start();
    QTRY_VERIFY_WITH_TIMEOUT(!find(browser, beacon.hubId).has_value(), 5000);
    QVERIFY2(elapsed.elapsed() >= 500, qPrintable(QString::number(elapsed.elapsed())));
}

void tst_Discovery::queryIsAnsweredAtOnce()
{
    const BeaconInfo beacon = info();
    // The beacon's periodic announcement is far away, and its first one is sent before the
    // browser listens: only the answer to the browser's query can make the hub appear.
    Beacon sender(Parley::Hub::DiscoveryMode::Loopback, [beacon] { return beacon; });
    sender.setIntervalMs(60'000);
    QVERIFY(sender.start()); // its first announcement is delivered (to nobody) right here
    HubBrowser browser;
    browser.start(Parley::Client::DiscoveryMode::Loopback); // sends a query
    QVERIFY2(browser.isListening(), qPrintable(browser.errorString()));
    QTRY_VERIFY_WITH_TIMEOUT(find(browser, beacon.hubId).has_value(), 3000);

    // And again on demand.
    browser.stop();
    browser.start(Parley::Client::DiscoveryMode::Loopback);
    QVERIFY(!find(browser, beacon.hubId).has_value());
    browser.query();
    QTRY_VERIFY_WITH_TIMEOUT(find(browser, beacon.hubId).has_value(), 3000);
}

void tst_Discovery::twoBrowsersBothSeeTheHub()
{
    const BeaconInfo beacon = info();
    HubBrowser first;
    HubBrowser second;
    first.start(Parley::Client::DiscoveryMode::Loopback);
    second.start(Parley::Client::DiscoveryMode::Loopback);
    QVERIFY2(first.isListening(), qPrintable(first.errorString()));
    QVERIFY2(second.isListening(), qPrintable(second.errorString()));
    Beacon sender(Parley::Hub::DiscoveryMode::Loopback, [beacon] { return beacon; });
    sender.setIntervalMs(100);
    QVERIFY(sender.start());
    QTRY_VERIFY_WITH_TIMEOUT(find(first, beacon.hubId).has_value(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(find(second, beacon.hubId).has_value(), 5000);
}

void tst_Discovery::queryFromAnotherPortGetsDirectAnswer()
{
    const BeaconInfo beacon = info();
    Beacon sender(Parley::Hub::DiscoveryMode::Loopback, [beacon] { return beacon; });
    sender.setIntervalMs(60'000);
    QVERIFY(sender.start());
    // A script's socket on an ephemeral port, not a listener on the discovery port.
    QUdpSocket script;
    QVERIFY(script.bind(QHostAddress::LocalHost, 0));
    QSet<QString> heard;
    connect(&script, &QUdpSocket::readyRead, this, [&] {
        while (script.hasPendingDatagrams()) {
            const QNetworkDatagram datagram = script.receiveDatagram();
            if (const auto hub
                = DiscoveredHub::fromDatagram(datagram.data(), datagram.senderAddress()))
                heard.insert(hub->hubId);
        }
    });
    QVERIFY(script.writeDatagram(R"({"parley": 1, "query": true})",
                                 QHostAddress(QStringLiteral("127.255.255.255")),
                                 Beacon::DefaultPort)
            > 0);
    QTRY_VERIFY_WITH_TIMEOUT(heard.contains(beacon.hubId), 3000);
}

QTEST_GUILESS_MAIN(tst_Discovery)
#include "tst_discovery.moc"
