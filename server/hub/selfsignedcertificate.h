#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace Parley::Hub::Tls {

// A hub's own certificate and private key, both PEM.
struct Pem
{
    QByteArray certificate;
    QByteArray key;
};

// Makes a self-signed ECDSA P-256 certificate with OpenSSL's X509 API: CN = `commonName`
// (cut to 64 characters), subjectAltName DNS:localhost and IP:127.0.0.1 / ::1, valid from a
// day ago for 20 years, signed with SHA-256. nullopt and *error if OpenSSL fails.
std::optional<Pem> makeSelfSigned(const QString &commonName, QString *error);

// The hub's certificate in `dataDir` (hub-cert.pem, hub-key.pem): read if both are there, else
// made and written (each file atomically; the key mode 0600 before a byte of it is written), so
// the certificate, and every client's pin of it, survives restarts. Returns the two paths, or
// nullopt and *error.
struct Files
{
    QString certificate;
    QString key;
};
std::optional<Files> ensureSelfSigned(const QString &dataDir, const QString &commonName, QString *error);

} // namespace Parley::Hub::Tls
