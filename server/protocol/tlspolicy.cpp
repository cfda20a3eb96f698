#include "protocol/tlspolicy.h"

namespace Parley::Protocol::TlsPolicy {

bool isAllowed(const QSslCipher &cipher)
{
    if (cipher.protocol() == QSsl::TlsV1_3)
        return true; // TLS 1.3 has nothing but forward-secret AEAD suites
    if (cipher.protocol() != QSsl::TlsV1_2 || cipher.keyExchangeMethod() != QLatin1String("ECDH"))
        return false;
    const QString authentication = cipher.authenticationMethod();
    if (authentication != QLatin1String("ECDSA") && authentication != QLatin1String("RSA"))
        return false;
    const QString encryption = cipher.encryptionMethod(); // "AESGCM(128)", "CHACHA20/POLY1305(256)"
    return encryption.startsWith(QLatin1String("AESGCM("))
        || encryption.startsWith(QLatin1String("CHACHA20/POLY1305("));
}

void apply(QSslConfiguration *configuration)
{
    configuration->setProtocol(QSsl::TlsV1_2OrLater);
    QList<QSslCipher> allowed = configuration->ciphers();
    allowed.removeIf([](const QSslCipher &cipher) { return !isAllowed(cipher); });
    configuration->setCiphers(allowed);
}

} // namespace Parley::Protocol::TlsPolicy
