#pragma once

#include <QString>
#include <QUrl>

#include <optional>

namespace Parley::Client {

// An invitation to a hub, as a link a host copies into a chat or shows as a QR code:
//   parley://HOST:PORT/?hub=HUB_ID&fp=FINGERPRINT[&room=NAME]
// HOST:PORT is where the hub listens, HUB_ID its id (1–64 of [A-Za-z0-9_-], checked against
// the hub's lobby reply), FINGERPRINT the SHA-256 of its certificate (64 hex digits, a
// "sha256:" prefix and colons allowed; without it the user is asked to trust what the hub shows,
// over TLS all the same: a link never means plain ws://), NAME a room to open (the protocol's
// room name rule). Anything else is refused with a reason in words.
struct InviteLink
{
    static constexpr QLatin1StringView scheme { "parley" };

    QUrl mountUrl; // wss://HOST:PORT/socket
    QString hubId;
    QString fingerprint; // lowercase hex SHA-256; empty: ask (the trust dialog)
    QString room; // a room name, empty for none

    static std::optional<InviteLink> parse(const QString &text, QString *error);
    QString toString() const;
    // True for text that is meant as an invite (starts with "parley:"), valid or not.
    static bool isInvite(const QString &text);
    friend bool operator==(const InviteLink &, const InviteLink &) = default;
};

} // namespace Parley::Client
