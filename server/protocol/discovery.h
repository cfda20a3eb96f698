#pragma once

#include <QHostAddress>
#include <QList>

// LAN discovery targets (docs/protocol.md, "LAN discovery"), shared by the hub's beacon and the
// client's hub browser so both always address exactly the same places.
namespace Parley::Protocol::Discovery {

constexpr quint16 defaultPort = 45454;

// 127.0.0.1 and 127.255.255.255: the only targets on development machines and in tests.
// Unicast reaches one of several listeners sharing the port; the loopback broadcast reaches all.
QList<QHostAddress> loopbackTargets();
// The broadcast address of each up, running, non-loopback IPv4 interface; never the limited
// broadcast 255.255.255.255.
QList<QHostAddress> lanTargets();

} // namespace Parley::Protocol::Discovery
