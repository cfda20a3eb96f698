#include "client/localaddresses.h"

#include "protocol/discovery.h"

#include <algorithm>

namespace Parley::Client {

bool LocalAddress::isVirtual() const
{
    return Protocol::Discovery::isVirtualInterface(
        interfaceName, type == QNetworkInterface::Virtual || type == QNetworkInterface::Ppp);
}

int LocalAddress::rank() const
{
    // Private ranges are where LANs live; a link-local address works only on that one cable.
    const bool isPrivate = ip.isInSubnet(QHostAddress(QStringLiteral("192.168.0.0")), 16)
        || ip.isInSubnet(QHostAddress(QStringLiteral("10.0.0.0")), 8)
        || ip.isInSubnet(QHostAddress(QStringLiteral("172.16.0.0")), 12);
    const bool linkLocal = ip.isInSubnet(QHostAddress(QStringLiteral("169.254.0.0")), 16);
    const bool physical = type == QNetworkInterface::Ethernet || type == QNetworkInterface::Wifi;
    int rank = 0;
    if (isVirtual())
        rank += 100;
    if (linkLocal)
        rank += 50;
    if (!isPrivate)
        rank += 10;
    if (!physical)
        rank += 5;
    if (type == QNetworkInterface::Wifi)
        rank += 1; // a cable is steadier than the air, when a computer has both
    return rank;
}

void sortByLikelihood(QList<LocalAddress> &addresses)
{
    std::stable_sort(
        addresses.begin(), addresses.end(),
        [](const LocalAddress &a, const LocalAddress &b) { return a.rank() < b.rank(); });
}

QList<LocalAddress> localAddresses()
{
    QList<LocalAddress> addresses;
    const auto interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        const auto flags = interface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp)
            || !flags.testFlag(QNetworkInterface::IsRunning)
            || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        const auto entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            const QHostAddress ip = entry.ip();
            if (ip.protocol() == QAbstractSocket::IPv4Protocol && !ip.isLoopback())
                addresses.append({ interface.name(), interface.type(), ip });
        }
    }
    sortByLikelihood(addresses);
    return addresses;
}

} // namespace Parley::Client
