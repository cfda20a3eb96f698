#include "hub/tlsconfig.h"

#include "hub/hubsettings.h"
#include "hub/selfsignedcertificate.h"
#include "protocol/fingerprint.h"
#include "protocol/tlspolicy.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

namespace Parley::Hub::Tls {

bool configure(const HubSettings &settings, std::optional<QSslConfiguration> *configuration,
               QString *error)
{
    configuration->reset();
    if (!settings.tls)
        return true;
    if (!settings.tlsCertificateFile.isEmpty() || !settings.tlsKeyFile.isEmpty()) {
        *configuration = serverConfiguration(settings.tlsCertificateFile, settings.tlsKeyFile, error);
    } else if (!settings.dataDir.isEmpty()) {
        const std::optional<Files> files = ensureSelfSigned(settings.dataDir, settings.name, error);
        if (files)
            *configuration = serverConfiguration(files->certificate, files->key, error);
    } else {
        const std::optional<Pem> pem = makeSelfSigned(settings.name, error);
        if (pem)
            *configuration = serverConfigurationFromPem(pem->certificate, pem->key, error);
    }
    return configuration->has_value();
}

std::optional<QSslConfiguration> serverConfiguration(const QString &certificateFile,
                                                     const QString &keyFile, QString *error)
{
    if (certificateFile.isEmpty() || keyFile.isEmpty()) {
        *error = QStringLiteral("a TLS certificate needs its key, and a key its certificate");
        return std::nullopt;
    }
    QFile certificate(certificateFile);
    QFile key(keyFile);
    if (!certificate.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the TLS certificate or key");
        return std::nullopt;
    }
    return serverConfigurationFromPem(certificate.readAll(), key.readAll(), error);
}

std::optional<QSslConfiguration> serverConfigurationFromPem(const QByteArray &certificatePem,
                                                            const QByteArray &keyPem, QString *error)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certificatePem, QSsl::Pem);
    QSslKey privateKey(keyPem, QSsl::Rsa, QSsl::Pem);
    if (privateKey.isNull())
        privateKey = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
    if (chain.isEmpty() || privateKey.isNull()) {
        *error = QStringLiteral("the TLS certificate or key is not valid PEM (RSA or EC key)");
        return std::nullopt;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(privateKey);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    Protocol::TlsPolicy::apply(&configuration);
    return configuration;
}

QString fingerprintOf(const QSslConfiguration &configuration)
{
    return Protocol::Fingerprint::of(configuration.localCertificate().toDer());
}

} // namespace Parley::Hub::Tls
