#pragma once

#include <QSslCipher>
#include <QSslConfiguration>

// The TLS that hub and client both speak (docs/protocol.md, "Encryption by default"): TLS 1.2 or
// later; TLS 1.3's suites, and under TLS 1.2 only ECDHE key exchange with an AEAD cipher
// (AES-GCM, ChaCha20-Poly1305). The CBC suites with SHA-1 or SHA-2 MACs, static RSA, finite-field
// DHE and PSK are never offered nor accepted, so neither side can be talked down to them.
// Plain functions; any thread.
namespace Parley::Protocol::TlsPolicy {

bool isAllowed(const QSslCipher &cipher);
// Sets TLS 1.2 or later and keeps only the allowed ones of the configuration's ciphers.
void apply(QSslConfiguration *configuration);

} // namespace Parley::Protocol::TlsPolicy
