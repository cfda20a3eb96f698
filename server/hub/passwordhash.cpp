#include "hub/passwordhash.h"

#include <QCryptographicHash>
#include <QPasswordDigestor>
#include <QRandomGenerator>

namespace Parley::Hub::PasswordHash {

namespace {

static_assert(kSaltSize % sizeof(quint32) == 0, "the salt is filled in 32-bit words");

QByteArray derive(const QString &password, const QByteArray &salt)
{
    return QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, password.toUtf8(), salt,
                                              kIterations, kKeySize);
}

} // namespace

Hashed hash(const QString &password)
{
    QByteArray salt(kSaltSize, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(salt.data()),
                                          kSaltSize / sizeof(quint32));
    return Hashed { derive(password, salt), salt };
}

bool verify(const QString &password, const QByteArray &hash, const QByteArray &salt)
{
    if (hash.isEmpty() || salt.isEmpty())
        return false;
    return constantTimeEquals(derive(password, salt), hash);
}

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    // volatile keeps the compiler from turning the loop into an early-exit memcmp.
    volatile unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff = diff | (static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]));
    return diff == 0;
}

} // namespace Parley::Hub::PasswordHash
