#include "protocol/identity.h"

#include <openssl/evp.h>
#include <openssl/pem.h>

namespace Parley::Protocol::Identity {

namespace {

const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int valueOf(QChar ch)
{
    const char16_t c = ch.unicode();
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

struct PkeyDeleter
{
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct MdCtxDeleter
{
    void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

struct BioDeleter
{
    void operator()(BIO *bio) const { BIO_free(bio); }
};
using Bio = std::unique_ptr<BIO, BioDeleter>;

const auto *bytesOf(QByteArrayView view)
{
    return reinterpret_cast<const unsigned char *>(view.data());
}

QByteArray rawKey(EVP_PKEY *key, bool isPrivate)
{
    QByteArray out(isPrivate ? privateKeySize : publicKeySize, Qt::Uninitialized);
    size_t size = size_t(out.size());
    auto *data = reinterpret_cast<unsigned char *>(out.data());
    const int ok = isPrivate ? EVP_PKEY_get_raw_private_key(key, data, &size)
                             : EVP_PKEY_get_raw_public_key(key, data, &size);
    if (ok != 1 || size != size_t(out.size()))
        return {};
    return out;
}

} // namespace

struct KeyPair::Key
{
    Pkey pkey;
};

QString toBase64Url(QByteArrayView bytes)
{
    QString out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    quint32 buffer = 0;
    int bits = 0;
    for (const char byte : bytes) {
        buffer = (buffer << 8) | quint8(byte);
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += QLatin1Char(alphabet[(buffer >> bits) & 0x3f]);
        }
    }
    if (bits > 0)
        out += QLatin1Char(alphabet[(buffer << (6 - bits)) & 0x3f]);
    return out;
}

std::optional<QByteArray> fromBase64Url(QStringView text, int bytes)
{
    if (bytes < 0 || text.size() != (qsizetype(bytes) * 8 + 5) / 6)
        return std::nullopt;
    QByteArray out;
    out.reserve(bytes);
    quint32 buffer = 0;
    int bits = 0;
    for (const QChar ch : text) {
        const int value = valueOf(ch);
        if (value < 0)
            return std::nullopt;
        buffer = (buffer << 6) | quint32(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += char((buffer >> bits) & 0xff);
        }
    }
    // Canonical: the bits left over in the last character are zero.
    if (out.size() != bytes || (buffer & ((1u << bits) - 1)) != 0)
        return std::nullopt;
    return out;
}

QString userIdOf(QByteArrayView publicKey)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(publicKey.data(), size_t(publicKey.size()), digest, &size, EVP_sha256(), nullptr) != 1)
        return {};
    return toBase64Url(QByteArrayView(reinterpret_cast<const char *>(digest), userIdBytes));
}

QString shortTag(const QString &userId)
{
    const std::optional<QByteArray> bytes = fromBase64Url(userId, userIdBytes);
    return bytes ? QString::fromLatin1(bytes->left(2).toHex()) : QString();
}

QString fingerprint(const QString &userId)
{
    const std::optional<QByteArray> bytes = fromBase64Url(userId, userIdBytes);
    if (!bytes)
        return {};
    const QString hex = QString::fromLatin1(bytes->toHex());
    QString out;
    for (qsizetype i = 0; i < hex.size(); i += 4)
        out += (i ? QStringLiteral(" ") : QString()) + hex.mid(i, 4);
    return out;
}

QString fingerprintBinding(QStringView fingerprint)
{
    return QLatin1String("fp:") + fingerprint.toString();
}

QString hubIdBinding(QStringView hubId)
{
    return QLatin1String("hub:") + hubId.toString();
}

QByteArray connectMessage(QStringView binding, qint64 ts, QStringView userId)
{
    return QByteArrayLiteral("parley-connect-v2\n") + binding.toUtf8() + '\n'
        + QByteArray::number(ts) + '\n' + userId.toUtf8();
}

bool isAcceptablePublicKey(QByteArrayView publicKey)
{
    if (publicKey.size() != publicKeySize)
        return false;
    // The encoding is y (255 bits, little endian) and the sign of x in the top bit. Canonical:
    // y < p = 2^255 - 19, i.e. not 0x7fff...ffed to 0x7fff...ffff.
    const auto byte = [publicKey](int i) { return quint8(publicKey[i]); };
    bool allOnes = (byte(31) & 0x7f) == 0x7f;
    for (int i = 1; i < 31 && allOnes; ++i)
        allOnes = byte(i) == 0xff;
    if (allOnes && byte(0) >= 0xed)
        return false;
    // The points of small order (the eight torsion points), by y, whatever the sign bit says:
    // y = 0 (order 4), y = 1 (the identity), y = p - 1 (order 2) and the two y of order 8.
    // With y canonical there are no other encodings of them.
    static const quint8 smallOrder[][32] = {
        { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
        { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
        { 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
        { 0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
          0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
          0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05 },
        { 0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b,
          0x76, 0x0d, 0x10, 0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39,
          0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a },
    };
    for (const auto &point : smallOrder) {
        bool same = (byte(31) & 0x7f) == point[31];
        for (int i = 0; i < 31 && same; ++i)
            same = byte(i) == point[i];
        if (same)
            return false;
    }
    return true;
}

std::optional<SignedConnect> parseSignedConnect(const QString &key, const QString &ts,
                                                const QString &sig, const QString &userId)
{
    SignedConnect connect;
    const std::optional<QByteArray> publicKey = fromBase64Url(key, publicKeySize);
    const std::optional<QByteArray> signature = fromBase64Url(sig, signatureSize);
    if (!publicKey || !isAcceptablePublicKey(*publicKey) || !signature || ts.isEmpty()
        || ts.size() > 16)
        return std::nullopt;
    for (const QChar ch : ts) {
        if (ch < QLatin1Char('0') || ch > QLatin1Char('9'))
            return std::nullopt;
    }
    connect.publicKey = *publicKey;
    connect.signature = *signature;
    connect.ts = ts.toLongLong();
    connect.userId = userIdOf(connect.publicKey);
    if (connect.userId.isEmpty() || connect.userId != userId)
        return std::nullopt;
    return connect;
}

bool verify(QByteArrayView publicKey, QByteArrayView message, QByteArrayView signature)
{
    if (publicKey.size() != publicKeySize || signature.size() != signatureSize)
        return false;
    const Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytesOf(publicKey),
                                               size_t(publicKey.size())));
    const MdCtx ctx(EVP_MD_CTX_new());
    if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1)
        return false;
    return EVP_DigestVerify(ctx.get(), bytesOf(signature), size_t(signature.size()), bytesOf(message),
                            size_t(message.size()))
            == 1;
}

KeyPair::KeyPair(std::shared_ptr<const Key> key) : m_key(std::move(key))
{
    m_userId = userIdOf(publicKey());
}

KeyPair KeyPair::generate()
{
    auto key = std::make_shared<Key>();
    key->pkey.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    Q_ASSERT(key->pkey); // only fails without a random source or out of memory
    return KeyPair(std::move(key));
}

std::optional<KeyPair> KeyPair::fromPrivateKey(QByteArrayView seed)
{
    if (seed.size() != privateKeySize)
        return std::nullopt;
    auto key = std::make_shared<Key>();
    key->pkey.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, bytesOf(seed), size_t(seed.size())));
    if (!key->pkey)
        return std::nullopt;
    return KeyPair(std::move(key));
}

std::optional<KeyPair> KeyPair::fromPem(QByteArrayView pem, QString *error)
{
    const auto fail = [error](const QString &why) -> std::optional<KeyPair> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const Bio bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
    if (!bio)
        return fail(QStringLiteral("out of memory"));
    Pkey pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!pkey)
        return fail(QStringLiteral("not a PEM private key"));
    if (EVP_PKEY_get_id(pkey.get()) != EVP_PKEY_ED25519)
        return fail(QStringLiteral("not an Ed25519 key"));
    auto key = std::make_shared<Key>();
    key->pkey = std::move(pkey);
    return KeyPair(std::move(key));
}

QByteArray KeyPair::publicKey() const
{
    return m_key ? rawKey(m_key->pkey.get(), false) : QByteArray();
}

QByteArray KeyPair::privateKey() const
{
    return m_key ? rawKey(m_key->pkey.get(), true) : QByteArray();
}

QByteArray KeyPair::toPem() const
{
    if (!m_key)
        return {};
    const Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), m_key->pkey.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, qsizetype(size));
}

QByteArray KeyPair::sign(QByteArrayView message) const
{
    if (!m_key)
        return {};
    const MdCtx ctx(EVP_MD_CTX_new());
    QByteArray signature(signatureSize, Qt::Uninitialized);
    size_t size = size_t(signature.size());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, m_key->pkey.get()) != 1
        || EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &size,
                          bytesOf(message), size_t(message.size()))
                != 1
        || size != size_t(signatureSize))
        return {};
    return signature;
}

QMap<QString, QString> KeyPair::connectParams(QStringView binding, qint64 ts) const
{
    return { { QStringLiteral("key"), toBase64Url(publicKey()) },
             { QStringLiteral("ts"), QString::number(ts) },
             { QStringLiteral("sig"), toBase64Url(sign(connectMessage(binding, ts, m_userId))) },
             { QStringLiteral("user_id"), m_userId } };
}

} // namespace Parley::Protocol::Identity
