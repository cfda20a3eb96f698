#include "protocol/discovery.h"

#include <QNetworkInterface>
#include <QRegularExpression>

namespace Parley::Protocol::Discovery {

std::optional<Mode> modeFromString(const QString &text)
{
    const QString mode = text.trimmed().toLower();
    if (mode == QLatin1String("off"))
        return Mode::Off;
    if (mode == QLatin1String("loopback"))
        return Mode::Loopback;
    if (mode == QLatin1String("lan"))
        return Mode::Lan;
    return std::nullopt;
}

Mode modeFromEnvironment(Mode fallback)
{
    return modeFromString(qEnvironmentVariable("PARLEY_DISCOVERY")).value_or(fallback);
}

QList<QHostAddress> loopbackTargets()
{
    return { QHostAddress(QStringLiteral("127.0.0.1")), QHostAddress(QStringLiteral("127.255.255.255")) };
}

bool isVirtualInterface(const QString &name, bool virtualOrPppType)
{
    static const QRegularExpression virtualName(
        QStringLiteral("^(docker|br-|virbr|veth|vmnet|vboxnet|lxc|lxd|cni|flannel|podman|"
                       "tun|tap|wg|tailscale|zt|utun|ppp|ipsec|nordlynx|proton)"),
        QRegularExpression::CaseInsensitiveOption);
    return virtualOrPppType || virtualName.match(name).hasMatch();
}

QList<QHostAddress> lanTargetsOf(const QList<InterfaceAddress> &interfaces, bool includeVirtual)
{
    QList<QHostAddress> result;
    for (const InterfaceAddress &entry : interfaces) {
        const QHostAddress &broadcast = entry.broadcast;
        if (!entry.up || entry.loopback || !entry.canBroadcast
            || (entry.isVirtual && !includeVirtual)
            || entry.ip.protocol() != QAbstractSocket::IPv4Protocol || entry.ip.isLoopback()
            || broadcast.protocol() != QAbstractSocket::IPv4Protocol || broadcast.isBroadcast()
            || broadcast.isLoopback() || result.contains(broadcast))
            continue;
        result << broadcast;
    }
    return result;
}

QList<InterfaceAddress> localInterfaces()
{
    QList<InterfaceAddress> result;
    const QList<QNetworkInterface> interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        const auto flags = interface.flags();
        const QList<QNetworkAddressEntry> entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            const bool virtualType = interface.type() == QNetworkInterface::Virtual
                || interface.type() == QNetworkInterface::Ppp;
            result << InterfaceAddress { flags.testFlag(QNetworkInterface::IsUp)
                                             && flags.testFlag(QNetworkInterface::IsRunning),
                                         flags.testFlag(QNetworkInterface::IsLoopBack),
                                         flags.testFlag(QNetworkInterface::CanBroadcast),
                                         entry.ip(),
                                         entry.broadcast(),
                                         interface.name(),
                                         isVirtualInterface(interface.name(), virtualType) };
        }
    }
    return result;
}

QList<QHostAddress> targets(Mode mode, bool includeVirtual)
{
    switch (mode) {
    case Mode::Off:
        return {};
    case Mode::Loopback:
        return loopbackTargets();
    case Mode::Lan:
        return lanTargetsOf(localInterfaces(), includeVirtual);
    }
    return {};
}

} // namespace Parley::Protocol::Discovery
