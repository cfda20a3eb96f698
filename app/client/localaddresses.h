#pragma once

#include <QHostAddress>
#include <QList>
#include <QNetworkInterface>
#include <QString>

namespace Parley::Client {

// An IPv4 address of this computer that others on a network might reach it at.
struct LocalAddress
{
    QString interfaceName; // "eth0", "wlp2s0", "docker0", …
    QNetworkInterface::InterfaceType type = QNetworkInterface::Unknown;
    QHostAddress ip;

    // Likely to be how people on the LAN reach this computer: Ethernet or Wi-Fi with a private
    // address. Not likely: virtual bridges and containers (docker, virbr, veth, vmnet, vboxnet),
    // VPNs and tunnels (tun, tap, wg, tailscale, zerotier, ppp): others on the LAN are not on them.
    bool isVirtual() const;
    int rank() const; // lower first
};

// The up, running, non-loopback IPv4 addresses of this computer, the likeliest first (stable
// among equals).
QList<LocalAddress> localAddresses();
// Orders them the same way (for tests and for addresses gathered elsewhere).
void sortByLikelihood(QList<LocalAddress> &addresses);

} // namespace Parley::Client
