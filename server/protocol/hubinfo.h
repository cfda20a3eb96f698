#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

namespace Parley::Protocol {

// The answer to GET /hub on a hub's port (docs/protocol.md, "Identity"): which hub listens
// there. A client about to connect over plain ws:// signs its connect for this hub id; over
// wss:// the certificate it verified names the hub, so the fingerprint here is for clients that
// cannot read their connection's certificate (a browser). The hub writes it, clients read it.
struct HubInfo
{
    static constexpr int protocolVersion = 2;

    QString hubId;
    QString name;
    QString fingerprint; // lowercase hex SHA-256 of the certificate; empty for ws://
    int protocol = protocolVersion;

    bool isTls() const { return !fingerprint.isEmpty(); }
    // {"hub_id", "name", "tls", "fp", "protocol"}, compact.
    QByteArray toJson() const;
    // nullopt for anything else: not JSON, a field missing or of the wrong type, an empty or
    // over-long hub id, "tls" that disagrees with "fp", a malformed fingerprint.
    static std::optional<HubInfo> fromJson(QByteArrayView json);
};

} // namespace Parley::Protocol
