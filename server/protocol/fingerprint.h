#pragma once

#include <QByteArray>
#include <QString>

// The hub certificate's fingerprint (docs/protocol.md, "Encryption by default"): lowercase hex of
// SHA-256 over the certificate's DER, 64 characters. Hub and client both use these.
namespace Parley::Protocol::Fingerprint {

QString of(const QByteArray &certificateDer);
// A fingerprint as people paste it: optional "sha256:" prefix, any case, colons or spaces
// between bytes. The 64-character form, or an empty string if it is not one.
QString normalized(const QString &text);
// What people read aloud to compare: the first 80 bits as five groups of four upper-case hex
// digits, "3F2A-91C0-77DE-0B14-C2D9". Empty for an invalid fingerprint.
QString safetyCode(const QString &fingerprint);

} // namespace Parley::Protocol::Fingerprint
