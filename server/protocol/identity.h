#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QMap>
#include <QString>
#include <QStringView>

#include <memory>
#include <optional>

// Identity on the wire (docs/protocol.md, "Identity (signed connect)"): a user is an Ed25519
// key pair, the user_id is derived from the public key, and every connect is signed afresh over
// the hub the client verified (its certificate's fingerprint, or its hub id over plain ws://), a
// timestamp and the user_id. The hub verifies with these functions against its own fingerprint
// or id, the client signs with KeyPair; nothing else spells the format. Crypto is OpenSSL 3's
// libcrypto.
namespace Parley::Protocol::Identity {

constexpr int publicKeySize = 32;
constexpr int privateKeySize = 32; // the Ed25519 seed
constexpr int signatureSize = 64;
constexpr int userIdBytes = 16; // of SHA-256(public key)
constexpr int userIdLength = 22; // base64url of 16 bytes, no padding
// A connect whose ts is further than this from the hub's clock is refused (clock_skew).
constexpr qint64 clockWindowMs = 300'000;
// The same (user_id, ts, sig) is refused for this long after it was accepted (replayed).
constexpr qint64 replayWindowMs = 600'000;

// base64url without padding (RFC 4648 §5).
QString toBase64Url(QByteArrayView bytes);
// Strict: only the base64url alphabet, no padding, exactly `bytes` bytes, and the canonical
// encoding of them (no stray bits in the last character). nullopt otherwise.
std::optional<QByteArray> fromBase64Url(QStringView text, int bytes);

// user_id = base64url(first 16 bytes of SHA-256(raw public key)), 22 characters.
QString userIdOf(QByteArrayView publicKey);
// A user_id's short tag for telling people with the same nick apart: 4 hex digits (its first two
// bytes), e.g. "3f2b". Empty for a malformed user_id.
QString shortTag(const QString &userId);
// A user_id's 16 bytes as 8 groups of 4 hex digits, to compare by voice or side by side.
QString fingerprint(const QString &userId);

// What a connect is bound to: the hub the client verified. Over wss:// "fp:" + the lowercase
// hex SHA-256 fingerprint of the certificate the connection presented; over ws:// "hub:" + the
// hub's id. Never anything the request itself carries (a Host header anyone can write).
QString fingerprintBinding(QStringView fingerprint);
QString hubIdBinding(QStringView hubId);
// The bytes to sign: "parley-connect-v2\n{binding}\n{ts}\n{user_id}".
QByteArray connectMessage(QStringView binding, qint64 ts, QStringView userId);

// False for a public key whose signatures prove nothing: one of small order (its signatures
// verify for many messages, some for any message) or not in canonical encoding (y >= p).
bool isAcceptablePublicKey(QByteArrayView publicKey);

// A signed connect's params, well-formed (the signature not checked yet).
struct SignedConnect
{
    QByteArray publicKey; // 32 bytes
    QString userId; // derived from publicKey
    qint64 ts = 0; // the client's clock, Unix ms
    QByteArray signature; // 64 bytes
};
// Reads the params key, ts, sig and user_id. nullopt (refuse with bad_params) if one is
// missing or malformed, if the key is not acceptable (isAcceptablePublicKey), or if user_id is
// not the one derived from key.
std::optional<SignedConnect> parseSignedConnect(const QString &key, const QString &ts,
                                                const QString &sig, const QString &userId);
// True if `signature` is the Ed25519 signature of `message` by `publicKey`.
bool verify(QByteArrayView publicKey, QByteArrayView message, QByteArrayView signature);

// An Ed25519 key pair. Cheap to copy (the key is shared and never changes).
class KeyPair
{
public:
    KeyPair() = default; // null: no key (isNull())
    // A fresh key pair from the system's random source.
    static KeyPair generate();
    // From the 32-byte private key (seed); nullopt if it is not 32 bytes.
    static std::optional<KeyPair> fromPrivateKey(QByteArrayView seed);
    // From PEM (PKCS#8 "PRIVATE KEY" holding an Ed25519 key); nullopt and *error otherwise.
    static std::optional<KeyPair> fromPem(QByteArrayView pem, QString *error = nullptr);

    bool isNull() const { return !m_key; }
    QByteArray publicKey() const; // 32 bytes
    QByteArray privateKey() const; // 32 bytes: keep it secret
    QByteArray toPem() const; // PKCS#8, unencrypted: keep it secret
    QString userId() const { return m_userId; }

    QByteArray sign(QByteArrayView message) const; // 64 bytes
    // The params of a connect bound to `binding` (fingerprintBinding(), hubIdBinding()) at
    // `ts`: key, ts, sig, user_id.
    QMap<QString, QString> connectParams(QStringView binding, qint64 ts) const;

private:
    struct Key;
    explicit KeyPair(std::shared_ptr<const Key> key);
    std::shared_ptr<const Key> m_key;
    QString m_userId;
};

} // namespace Parley::Protocol::Identity
