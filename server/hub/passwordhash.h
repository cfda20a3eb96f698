#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

// Room passwords: PBKDF2-HMAC-SHA256 with a random 16-byte salt per password. Only the derived
// key and the salt are stored (rooms.password_hash / password_salt), never the password.
//
// The iteration count (kIterations) is part of the stored format: hashes made with one count only
// verify with the same count, so changing it needs a migration that re-hashes on next join (or
// stores the count beside the hash). Stateless and thread-safe.
namespace Parley::Hub::PasswordHash {

// 20,000 rounds: about 70 ms per hash or verify on the 2-core build machine (Qt's PBKDF2 is
// an HMAC loop in plain C++, several times slower than OpenSSL's), which keeps the tests that
// create and join locked rooms fast. OWASP's 2023 advice for SHA-256 is far higher (600k); this
// guards a LAN chat room, not an account. verify() runs on the hub thread and blocks it for
// that long, so password joins must be rate limited per connection.
inline constexpr int kIterations = 20000;
inline constexpr int kSaltSize = 16;
inline constexpr int kKeySize = 32;

struct Hashed
{
    QByteArray hash; // kKeySize bytes
    QByteArray salt; // kSaltSize bytes
};

// A fresh salt from QRandomGenerator::system() and the derived key.
Hashed hash(const QString &password);
// True if `password` derives `hash` under `salt`. An empty hash or salt never verifies.
bool verify(const QString &password, const QByteArray &hash, const QByteArray &salt);
// Compares without an early exit so the time does not tell how many leading bytes matched.
// Different lengths compare unequal at once (the length is not secret).
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

} // namespace Parley::Hub::PasswordHash
