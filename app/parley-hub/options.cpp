#include "options.h"

#include "protocol/events.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QStandardPaths>

#include <cstdio>
#include <cstdlib>

namespace Parley::HubCli {

using namespace Parley::Hub;

namespace {

[[noreturn]] void fail(const QString &message)
{
    std::fprintf(stderr, "parley-hub: %s\n", qPrintable(message));
    std::exit(2);
}

int intOption(const QCommandLineParser &parser, const QString &name, int min, int max)
{
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < min || value > max)
        fail(QStringLiteral("--%1 must be an integer from %2 to %3").arg(name).arg(min).arg(max));
    return value;
}

// The first line of `path`, without its line end; fails on a file it cannot read or an empty line.
QString passwordFromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        fail(QStringLiteral("--password-file: cannot read %1: %2").arg(path, file.errorString()));
    QByteArray line = file.readLine(64 * 1024);
    if (line.isEmpty() && file.error() != QFileDevice::NoError)
        fail(QStringLiteral("--password-file: cannot read %1: %2").arg(path, file.errorString()));
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    if (line.isEmpty())
        fail(QStringLiteral("--password-file: %1 has no password on its first line").arg(path));
    return QString::fromUtf8(line);
}

} // namespace

HubSettings settingsFromCommandLine(const QCoreApplication &app)
{
    const HubSettings defaults;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Parley hub: a Phoenix Channels v2 chat hub (rooms, direct messages, presence, "
        "history in SQLite). Clients connect to ws://HOST:PORT/socket/websocket?vsn=2.0.0"
        "&user_id=...&key=...&ts=...&sig=...&nick=... with an Ed25519-signed connect; see "
        "docs/protocol.md."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        { QStringLiteral("port"), QStringLiteral("TCP port to listen on; 0 picks any free port."),
          QStringLiteral("port"), QString::number(defaults.port) },
        { QStringLiteral("bind"), QStringLiteral("Address to listen on."),
          QStringLiteral("address"), QStringLiteral("0.0.0.0") },
        { QStringLiteral("name"), QStringLiteral("Hub name shown to clients and on the LAN."),
          QStringLiteral("name"), defaults.name },
        { QStringLiteral("data-dir"),
          QStringLiteral("Directory of the hub's SQLite database (default: the user's app data "
                         "directory)."),
          QStringLiteral("dir") },
        { QStringLiteral("ephemeral"),
          QStringLiteral("Keep rooms and messages in memory only (nothing is stored).") },
        { QStringLiteral("password"),
          QStringLiteral("Hub password clients must send (connect param 'password'). Other "
                         "local users can read it in the process list: prefer --password-file."),
          QStringLiteral("password") },
        { QStringLiteral("password-file"),
          QStringLiteral("Read the hub password from the first line of this file (keep it "
                         "readable by you only)."),
          QStringLiteral("file") },
        { QStringLiteral("idle-timeout"),
          QStringLiteral("Close a connection that sent nothing for this many seconds."),
          QStringLiteral("seconds"), QString::number(defaults.idleTimeoutMs / 1000) },
        { QStringLiteral("max-connections"),
          QStringLiteral("Connections accepted at once; more are refused with 1008 hub_full."),
          QStringLiteral("n"), QString::number(defaults.maxConnections) },
        { QStringLiteral("max-rate"),
          QStringLiteral(
              "Events per second per connection (bursts of twice that); 0 turns the limit off."),
          QStringLiteral("n"), QString::number(defaults.maxRate) },
        { QStringLiteral("max-channels"), QStringLiteral("Topics one connection may join."),
          QStringLiteral("n"), QString::number(defaults.maxChannels) },
        { QStringLiteral("max-frame"),
          QStringLiteral("Largest incoming frame in bytes; larger closes with 1009."),
          QStringLiteral("bytes"), QString::number(defaults.maxFrameBytes) },
        { QStringLiteral("max-outgoing"),
          QStringLiteral("Outgoing bytes a connection may leave unread; past that it is closed "
                         "with 1008 slow_consumer."),
          QStringLiteral("bytes"), QString::number(defaults.maxOutgoingBytes) },
        { QStringLiteral("socket-send-buffer"),
          QStringLiteral("Kernel send buffer per connection in bytes (SO_SNDBUF); 0 leaves it to "
                         "the kernel's autotuning."),
          QStringLiteral("bytes"), QString::number(defaults.socketSendBufferBytes) },
        { QStringLiteral("transport"),
          QStringLiteral("WebSocket implementation: qt (QWebSocketServer) or epoll (the hub's "
                         "own RFC 6455 code). Default: $PARLEY_TRANSPORT or qt."),
          QStringLiteral("name") },
        { QStringLiteral("max-rooms"), QStringLiteral("Rooms the hub may hold."),
          QStringLiteral("n"), QString::number(defaults.maxRooms) },
        { QStringLiteral("rooms-per-user"),
          QStringLiteral("Rooms one user may have made (that still exist); 0: no limit."),
          QStringLiteral("n"), QString::number(defaults.maxRoomsPerUser) },
        { QStringLiteral("rooms-per-hour"),
          QStringLiteral("Rooms one user, and one address, may make per hour; 0: no limit."),
          QStringLiteral("n"), QString::number(defaults.roomsPerHour) },
        { QStringLiteral("max-connections-per-address"),
          QStringLiteral("Connections one IP address may hold; more are refused with 1008 "
                         "too_many_connections. 0: no limit."),
          QStringLiteral("n"), QString::number(defaults.maxConnectionsPerAddress) },
        { QStringLiteral("max-handshakes-per-address"),
          QStringLiteral("Connections one IP address may have in TCP, TLS or HTTP upgrade at once; "
                         "more are closed at once. 0: no limit."),
          QStringLiteral("n"), QString::number(defaults.maxHandshakesPerAddress) },
        { QStringLiteral("password-guesses-per-minute"),
          QStringLiteral("Hub and room password checks per minute from one address, after a "
                         "burst (--password-guess-burst); a right password costs nothing. Over "
                         "it: rate_limited, at once."),
          QStringLiteral("n"), QString::number(defaults.passwordGuessesPerMinute) },
        { QStringLiteral("password-guess-burst"),
          QStringLiteral(
              "Password checks one address may make at once before the per-minute rate."),
          QStringLiteral("n"), QString::number(defaults.passwordGuessBurst) },
        { QStringLiteral("password-checks-per-address"),
          QStringLiteral("Room password checks (PBKDF2) under way at once for one address."),
          QStringLiteral("n"), QString::number(defaults.passwordChecksPerAddress) },
        { QStringLiteral("join-output-rate"),
          QStringLiteral("Bytes per second of history and presence a connection may be sent on "
                         "joins and history pages (bursts of 4 s of it; an address 4 times that); "
                         "over it: rate_limited. 0: no limit."),
          QStringLiteral("bytes"), QString::number(defaults.joinBytesPerSecond) },
        { QStringLiteral("lobby-presence-limit"),
          QStringLiteral("Users hub:lobby's presence lists in full; above that it lists the "
                         "most recently active ones (--presence-listed)."),
          QStringLiteral("n"), QString::number(defaults.lobbyPresenceLimit) },
        { QStringLiteral("room-presence-limit"), QStringLiteral("The same for a room."),
          QStringLiteral("n"), QString::number(defaults.roomPresenceLimit) },
        { QStringLiteral("presence-listed"),
          QStringLiteral("Users a topic above its presence limit lists."), QStringLiteral("n"),
          QString::number(defaults.presenceListed) },
        { QStringLiteral("tls-cert"),
          QStringLiteral("PEM certificate (chain) to serve wss:// with, instead of "
                         "the hub's own self-signed one (made on the first start, kept in the data "
                         "directory)."),
          QStringLiteral("file") },
        { QStringLiteral("no-tls"),
          QStringLiteral("Serve plain ws:// (unencrypted: anyone on the network can read it).") },
        { QStringLiteral("tls-key"), QStringLiteral("PEM private key of --tls-cert."),
          QStringLiteral("file") },
        { QStringLiteral("allow-origin"),
          QStringLiteral("Browser Origin allowed to connect besides the hub's own host; "
                         "repeatable; '*' allows any."),
          QStringLiteral("origin") },
        { QStringLiteral("discovery"),
          QStringLiteral("LAN announcements: loopback (127.0.0.1 only, for tests), lan or off. "
                         "Default: $PARLEY_DISCOVERY or lan."),
          QStringLiteral("mode") },
    });
    parser.process(app);

    HubSettings settings;
    settings.port = quint16(intOption(parser, QStringLiteral("port"), 0, 65535));
    if (!settings.bindAddress.setAddress(parser.value(QStringLiteral("bind"))))
        fail(QStringLiteral("--bind: not an IP address: %1")
                 .arg(parser.value(QStringLiteral("bind"))));
    settings.name = parser.value(QStringLiteral("name")).trimmed();
    if (settings.name.isEmpty() || settings.name.size() > 64)
        fail(QStringLiteral("--name must be 1-64 characters"));
    if (!parser.isSet(QStringLiteral("ephemeral"))) {
        settings.dataDir = parser.isSet(QStringLiteral("data-dir"))
            ? parser.value(QStringLiteral("data-dir"))
            : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    }
    if (parser.isSet(QStringLiteral("password-file"))) {
        if (parser.isSet(QStringLiteral("password")))
            fail(QStringLiteral("give --password or --password-file, not both"));
        settings.password = passwordFromFile(parser.value(QStringLiteral("password-file")));
    } else {
        settings.password = parser.value(QStringLiteral("password"));
    }
    settings.idleTimeoutMs = intOption(parser, QStringLiteral("idle-timeout"), 1, 86400) * 1000;
    settings.maxConnections = intOption(parser, QStringLiteral("max-connections"), 1, 1'000'000);
    settings.maxRate = intOption(parser, QStringLiteral("max-rate"), 0, 1'000'000);
    settings.maxChannels = intOption(parser, QStringLiteral("max-channels"), 1, 10'000);
    settings.maxFrameBytes = intOption(parser, QStringLiteral("max-frame"), 1024, 64 * 1024 * 1024);
    settings.maxRooms = intOption(parser, QStringLiteral("max-rooms"), 1, 1'000'000);
    settings.maxRoomsPerUser = intOption(parser, QStringLiteral("rooms-per-user"), 0, 1'000'000);
    settings.roomsPerHour = intOption(parser, QStringLiteral("rooms-per-hour"), 0, 1'000'000);
    settings.maxConnectionsPerAddress
        = intOption(parser, QStringLiteral("max-connections-per-address"), 0, 1'000'000);
    settings.maxHandshakesPerAddress
        = intOption(parser, QStringLiteral("max-handshakes-per-address"), 0, 1'000'000);
    settings.passwordGuessesPerMinute
        = intOption(parser, QStringLiteral("password-guesses-per-minute"), 1, 1'000'000);
    settings.passwordGuessBurst
        = intOption(parser, QStringLiteral("password-guess-burst"), 1, 1'000'000);
    settings.passwordChecksPerAddress
        = intOption(parser, QStringLiteral("password-checks-per-address"), 1, 1000);
    settings.joinBytesPerSecond = intOption(parser, QStringLiteral("join-output-rate"), 0, 1 << 30);
    settings.lobbyPresenceLimit
        = intOption(parser, QStringLiteral("lobby-presence-limit"), 1, 1'000'000);
    settings.roomPresenceLimit
        = intOption(parser, QStringLiteral("room-presence-limit"), 1, 1'000'000);
    settings.presenceListed = intOption(parser, QStringLiteral("presence-listed"), 1, 10'000);
    if (settings.presenceListed > std::min(settings.lobbyPresenceLimit, settings.roomPresenceLimit))
        fail(QStringLiteral("--presence-listed must not exceed the presence limits"));
    settings.maxOutgoingBytes = intOption(parser, QStringLiteral("max-outgoing"), 4096, 1 << 30);
    settings.socketSendBufferBytes
        = intOption(parser, QStringLiteral("socket-send-buffer"), 0, 64 << 20);
    settings.tlsCertificateFile = parser.value(QStringLiteral("tls-cert"));
    settings.tlsKeyFile = parser.value(QStringLiteral("tls-key"));
    if (settings.tlsCertificateFile.isEmpty() != settings.tlsKeyFile.isEmpty())
        fail(QStringLiteral("--tls-cert and --tls-key go together"));
    settings.tls = !parser.isSet(QStringLiteral("no-tls"));
    if (!settings.tls && !settings.tlsCertificateFile.isEmpty())
        fail(QStringLiteral("--no-tls and --tls-cert contradict each other"));
    settings.allowedOrigins = parser.values(QStringLiteral("allow-origin"));
    QString transportName = parser.value(QStringLiteral("transport"));
    if (transportName.isEmpty())
        transportName = qEnvironmentVariable("PARLEY_TRANSPORT", QStringLiteral("qt"));
    const std::optional<HubSettings::Transport> transport
        = HubSettings::transportFromName(transportName);
    if (!transport)
        fail(QStringLiteral("--transport must be qt or epoll"));
    settings.transport = *transport;
    QString discovery = parser.value(QStringLiteral("discovery"));
    if (discovery.isEmpty())
        discovery = qEnvironmentVariable("PARLEY_DISCOVERY", QStringLiteral("lan"));
    const std::optional<DiscoveryMode> mode
        = Parley::Protocol::Discovery::modeFromString(discovery);
    if (!mode)
        fail(QStringLiteral("--discovery must be loopback, lan or off"));
    settings.discovery = *mode;

    return settings;
}

} // namespace Parley::HubCli
