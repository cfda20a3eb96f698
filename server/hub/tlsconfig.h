#pragma once

#include <QSslConfiguration>
#include <QString>

#include <optional>

namespace Parley::Hub::Tls {

// The hub's TLS server configuration from a PEM certificate (chain) and a PEM private key (RSA
// or EC): TLS 1.2 or later, no client certificates. nullopt and *error if either file cannot be
// read or is not what it should be.
std::optional<QSslConfiguration> serverConfiguration(const QString &certificateFile,
                                                     const QString &keyFile, QString *error);

} // namespace Parley::Hub::Tls
