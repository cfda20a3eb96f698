#pragma once

#include <QSslConfiguration>
#include <QString>

#include <optional>

namespace Parley::Hub {
struct HubSettings;
}

namespace Parley::Hub::Tls {

// What a hub with these settings serves (docs/protocol.md, "Encryption by default"): nothing
// in *configuration for ws:// (settings.tls off); else the given certificate files, or the hub's
// own self-signed certificate (kept in the data directory; made for this run only when the hub
// has none). False and *error if the files cannot be read or made.
bool configure(const HubSettings &settings, std::optional<QSslConfiguration> *configuration,
               QString *error);

// The hub's TLS server configuration from a PEM certificate (chain) and a PEM private key (RSA
// or EC): TLS 1.2 or later, no client certificates. nullopt and *error if either file cannot be
// read or is not what it should be.
std::optional<QSslConfiguration> serverConfiguration(const QString &certificateFile,
                                                     const QString &keyFile, QString *error);
// The same from PEM bytes (the hub's own certificate when it has no data directory).
std::optional<QSslConfiguration> serverConfigurationFromPem(const QByteArray &certificatePem,
                                                            const QByteArray &keyPem, QString *error);
// The fingerprint clients pin (docs/protocol.md): of the configuration's leaf certificate.
QString fingerprintOf(const QSslConfiguration &configuration);

} // namespace Parley::Hub::Tls
