#pragma once

#include "protocol/discovery.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <optional>

namespace Parley::Hub {

using DiscoveryMode = Protocol::Discovery::Mode;

// Every limit of docs/protocol.md is a setting here, so tests and benchmarks can set them.
struct HubSettings
{
    // How WebSocket connections are handled: by Qt's QWebSocketServer (the default), or by the
    // hub's own RFC 6455 code on the same sockets ("epoll", kept while it measures better).
    enum class Transport { QtWebSockets, Epoll };
    Transport transport = Transport::QtWebSockets;
    // "qt" or "epoll" (as --transport takes them); nullopt for anything else.
    static std::optional<Transport> transportFromName(QStringView name)
    {
        if (name == QLatin1String("qt"))
            return Transport::QtWebSockets;
        if (name == QLatin1String("epoll"))
            return Transport::Epoll;
        return std::nullopt;
    }
    QHostAddress bindAddress = QHostAddress::Any;
    quint16 port = 4000; // 0: any free port
    QString name = QStringLiteral("Parley hub");
    QString dataDir; // empty: keep everything in memory (tests); else SQLite file in it
    QString password; // hub password (connect param); empty: none
    int idleTimeoutMs = 60'000;
    int handshakeTimeoutMs = 10'000;
    int maxConnections = 10'000;
    int maxRate = 30; // events/s per connection, burst 2x; 0 turns the limit off
    int floodCloseMs = 10'000; // continuous flooding for this long closes with 1008
    int maxChannels = 100;
    int maxFrameBytes = 64 * 1024;
    qint64 maxOutgoingBytes = 4 * 1024 * 1024;
    // The kernel's send buffer per connection (SO_SNDBUF; Linux reserves twice this). Left to
    // autotuning it grows to 4 MB, which a reader that stopped keeps full: the memory a slow
    // consumer holds is this plus maxOutgoingBytes. 0 leaves it to the kernel.
    int socketSendBufferBytes = 256 * 1024;
    int maxRooms = 1000;
    // Limits per peer address and per user (docs/protocol.md, "Limits"): anyone can make keys,
    // but a LAN neighbour has one address.
    int maxConnectionsPerAddress = 256; // open connections; 0: no limit (a NAT'd LAN fits)
    int maxHandshakesPerAddress = 32; // connections still in TCP, TLS or HTTP upgrade
    int passwordGuessBurst = 5; // hub and room password checks at once per address ...
    int passwordGuessesPerMinute = 60; // ... then this many a minute (a right one is free)
    int passwordChecksPerAddress = 2; // checks under way per address (one per connection)
    int maxRoomsPerUser = 50; // rooms one user has created and that still exist
    int roomsPerHour = 20; // rooms created per hour by one user, and by one address
    // History and presence sent on joins (and history pages), per connection: bursts of four
    // seconds of it, and an address four times that; over it, joins are refused with
    // rate_limited and when to retry. 0: no limit.
    qint64 joinBytesPerSecond = 512 * 1024;
    int listenBacklog = 4096;
    // Signed connects remembered against replay (the last 10 minutes of them, at most this many).
    int replayCacheEntries = 100'000;
    int typingTimeoutMs = 6'000;
    int roomsChangedIntervalMs = 500; // rooms_changed coalescing: at most 2 per second
    // ... and when only member counts changed, once per interval per this many lobby connections.
    int roomsChangedConnectionsPerInterval = 200;
    // presence_diff coalescing per topic: at most one diff per window while changes keep coming
    // (a change in a quiet topic goes out at once). 0: every change is its own diff.
    int presenceWindowMs = 50;
    // Bounded presence (docs/protocol.md 6, "bounded presence"): a topic with more users than its
    // limit lists its presenceListed most recently active users (and presence_summary counts them
    // all).
    int lobbyPresenceLimit = 500;
    int roomPresenceLimit = 1500;
    int presenceListed = 50;
    DiscoveryMode discovery = DiscoveryMode::Off;
    quint16 discoveryPort = 45454; // UDP port of the LAN beacon (tests may move it)
    // TLS (docs/protocol.md, "Encryption by default"): wss:// unless tls is false (--no-tls);
    // with these PEM files when both are set, else with the hub's own self-signed certificate,
    // made on the first start and kept in dataDir (made for each run by a hub without one).
    bool tls = true;
    QString tlsCertificateFile;
    QString tlsKeyFile;
    // Browser origins allowed besides the hub's own host ("*" allows any). Requests without an
    // Origin header (native apps, Node, bots) always pass, as in Phoenix.
    QStringList allowedOrigins;
};

} // namespace Parley::Hub
