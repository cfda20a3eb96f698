#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

// LAN discovery (docs/protocol.md, "LAN discovery"): the modes and the targets, shared by the
// hub's beacon and the client's hub browser so both always address exactly the same places.
namespace Parley::Protocol::Discovery {

constexpr quint16 defaultPort = 45454;

// Where announcements and queries go: nowhere, 127.0.0.1 and 127.255.255.255 only (development
// machines, tests), or the broadcast address of each LAN interface.
enum class Mode { Off, Loopback, Lan };

// "off" / "loopback" / "lan" (case-insensitive, trimmed); nullopt for anything else.
std::optional<Mode> modeFromString(const QString &text);
// PARLEY_DISCOVERY if set and valid, else fallback.
Mode modeFromEnvironment(Mode fallback = Mode::Lan);

// One IPv4 or IPv6 address of a network interface, with what the targets depend on.
struct InterfaceAddress
{
    bool up = false; // up and running
    bool loopback = false;
    bool canBroadcast = false;
    QHostAddress ip;
    QHostAddress broadcast; // null when the interface has none
    QString name; // "eth0", "docker0", …
    bool isVirtual = false; // isVirtualInterface(): a bridge, container network or VPN
};

// A virtual bridge or container network (docker, virbr, veth, vmnet, vboxnet, …) or a VPN or
// tunnel (tun, tap, wg, tailscale, zerotier, ppp, …): others on the LAN are not on it, so
// discovery skips it unless asked. By the interface's name, or its type being Virtual or Ppp.
bool isVirtualInterface(const QString &name, bool virtualOrPppType);

// 127.0.0.1 and 127.255.255.255: the only targets on development machines and in tests.
// Unicast reaches one of several listeners sharing the port; the loopback broadcast reaches all.
QList<QHostAddress> loopbackTargets();
// The broadcast address of each up, non-loopback IPv4 interface address of `interfaces`, once
// each; never the limited broadcast (all ones), never a loopback address; virtual interfaces
// only with includeVirtual.
QList<QHostAddress> lanTargetsOf(const QList<InterfaceAddress> &interfaces,
                                 bool includeVirtual = false);
// This machine's interfaces, as lanTargetsOf() reads them.
QList<InterfaceAddress> localInterfaces();
// The targets of `mode` on this machine.
QList<QHostAddress> targets(Mode mode, bool includeVirtual = false);

} // namespace Parley::Protocol::Discovery
