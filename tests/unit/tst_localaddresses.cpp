// Client::LocalAddress: which address of this computer an invite link names first. Ethernet or
// Wi-Fi with a private address before anything else; virtual bridges, containers and VPNs last.

#include "client/localaddresses.h"

#include <QTest>

using Parley::Client::LocalAddress;

Q_DECLARE_METATYPE(QNetworkInterface::InterfaceType)

class TestLocalAddresses : public QObject
{
    Q_OBJECT

private slots:
    void sortsTheLikeliestFirst_data();
    void sortsTheLikeliestFirst();
};

void TestLocalAddresses::sortsTheLikeliestFirst_data()
{
    QTest::addColumn<QStringList>(
        "given"); // "name type ip", type e (Ethernet), w (Wi-Fi), v (Virtual), u (Unknown)
    QTest::addColumn<QStringList>("expected"); // names, in order

    QTest::addRow("docker before the cable is given")
        << QStringList { "docker0 e 172.17.0.1", "eth0 e 192.168.1.20" }
        << QStringList { "eth0", "docker0" };
    QTest::addRow("a VPN is not the LAN")
        << QStringList { "wg0 u 10.8.0.2", "tailscale0 u 100.101.1.2", "wlp2s0 w 192.168.1.31" }
        << QStringList { "wlp2s0", "wg0", "tailscale0" };
    QTest::addRow("cable before Wi-Fi")
        << QStringList { "wlp2s0 w 192.168.1.31", "enp3s0 e 192.168.1.30" }
        << QStringList { "enp3s0", "wlp2s0" };
    QTest::addRow("a private address before a public one")
        << QStringList { "eth1 e 203.0.113.7", "eth0 e 10.0.0.7" }
        << QStringList { "eth0", "eth1" };
    QTest::addRow("link-local after a routable one")
        << QStringList { "eth1 e 169.254.3.4", "eth0 e 203.0.113.7" }
        << QStringList { "eth0", "eth1" };
    QTest::addRow("a virtual interface type, whatever its name")
        << QStringList { "foo0 v 192.168.122.1", "bar0 e 192.168.1.5" }
        << QStringList { "bar0", "foo0" };
    QTest::addRow("equals keep their order")
        << QStringList { "eth0 e 192.168.1.5", "eth1 e 192.168.2.5" }
        << QStringList { "eth0", "eth1" };
}

void TestLocalAddresses::sortsTheLikeliestFirst()
{
    QFETCH(QStringList, given);
    QFETCH(QStringList, expected);
    QList<LocalAddress> addresses;
    for (const QString &line : given) {
        const QStringList parts = line.split(QLatin1Char(' '));
        LocalAddress address;
        address.interfaceName = parts.at(0);
        const QChar type = parts.at(1).at(0);
        address.type = type == u'e' ? QNetworkInterface::Ethernet
            : type == u'w'          ? QNetworkInterface::Wifi
            : type == u'v'          ? QNetworkInterface::Virtual
                                    : QNetworkInterface::Unknown;
        address.ip = QHostAddress(parts.at(2));
        addresses.append(address);
    }
    Parley::Client::sortByLikelihood(addresses);
    QStringList names;
    for (const LocalAddress &address : addresses)
        names.append(address.interfaceName);
    QCOMPARE(names, expected);
}

QTEST_GUILESS_MAIN(TestLocalAddresses)
#include "tst_localaddresses.moc"
