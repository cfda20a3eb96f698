#include "protocol/discovery.h"

#include <QNetworkInterface>

namespace Parley::Protocol::Discovery {

QList<QHostAddress> loopbackTargets()
{
    return { QHostAddress(QStringLiteral("127.0.0.1")), QHostAddress(QStringLiteral("127.255.255.255")) };
}

QList<QHostAddress> lanTargets()
{
    QList<QHostAddress> result;
    const QList<QNetworkInterface> interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        const auto flags = interface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp) || !flags.testFlag(QNetworkInterface::IsRunning)
            || !flags.testFlag(QNetworkInterface::CanBroadcast)
            || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        const QList<QNetworkAddressEntry> entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            const QHostAddress broadcast = entry.broadcast();
            if (entry.ip().protocol() != QAbstractSocket::IPv4Protocol || broadcast.isNull()
                || broadcast == QHostAddress(QHostAddress::Broadcast) || result.contains(broadcast))
                continue;
            result << broadcast;
        }
    }
    return result;
}

} // namespace Parley::Protocol::Discovery
