#pragma once

#include <QString>
#include <QUrl>

#include <optional>

namespace Parley::Client {

// The hub port used when an address names none.
inline constexpr quint16 defaultHubPort = 4000;

// Parses what a user types to reach a hub: "host", "host:port", "[v6]:port" or a full
// "ws://host:port/socket" URL, into the mount URL ws://HOST:PORT/socket. nullopt with *error
// for anything else (error may be null).
std::optional<QUrl> parseHubAddress(const QString &text, QString *error);
// "host:port" of a mount URL, for display.
QString hubAddressText(const QUrl &mountUrl);

} // namespace Parley::Client
