#include "hub/selfsignedcertificate.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace Parley::Hub::Tls {

namespace {

template<typename T, void (*Free)(T *)>
using Owned = std::unique_ptr<T, std::integral_constant<decltype(Free), Free>>;

QByteArray drain(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? QByteArray(data, qsizetype(size)) : QByteArray();
}

bool addExtension(X509 *certificate, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
    Owned<X509_EXTENSION, X509_EXTENSION_free> extension(
            X509V3_EXT_conf_nid(nullptr, &context, nid, value));
    return extension && X509_add_ext(certificate, extension.get(), -1) == 1;
}

// Written next to `path` and renamed over it: a crash leaves the old file or the new one.
bool writeAtomically(const QString &path, const QByteArray &data, QFile::Permissions permissions,
                     QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(permissions)
        || file.write(data) != data.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

std::optional<Pem> makeSelfSigned(const QString &commonName, QString *error)
{
    const auto fail = [error](const char *what) {
        *error = QStringLiteral("cannot make the hub's certificate: %1").arg(QLatin1String(what));
        return std::nullopt;
    };
    Owned<EVP_PKEY, EVP_PKEY_free> key(EVP_EC_gen("P-256"));
    if (!key)
        return fail("no P-256 key");
    Owned<X509, X509_free> certificate(X509_new());
    if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1)
        return fail("no certificate");
    // A random positive 64-bit serial, so two certificates of one name never look alike.
    unsigned char serialBytes[8];
    if (RAND_bytes(serialBytes, sizeof serialBytes) != 1)
        return fail("no random serial");
    serialBytes[0] &= 0x7f;
    Owned<BIGNUM, BN_free> serial(BN_bin2bn(serialBytes, sizeof serialBytes, nullptr));
    if (!serial || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get())))
        return fail("no serial");
    if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -24L * 3600)
        || !X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 20L * 365 * 24 * 3600))
        return fail("no validity");
    QString name = commonName.trimmed().isEmpty() ? QStringLiteral("Parley hub") : commonName.trimmed();
    name.truncate(64);
    const QByteArray cn = name.toUtf8();
    X509_NAME *subject = X509_get_subject_name(certificate.get());
    if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char *>(cn.constData()),
                                   int(cn.size()), -1, 0) != 1
        || X509_set_issuer_name(certificate.get(), subject) != 1)
        return fail("no name");
    if (X509_set_pubkey(certificate.get(), key.get()) != 1
        || !addExtension(certificate.get(), NID_basic_constraints, "critical,CA:FALSE")
        || !addExtension(certificate.get(), NID_ext_key_usage, "serverAuth")
        || !addExtension(certificate.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1"))
        return fail("no extensions");
    if (X509_sign(certificate.get(), key.get(), EVP_sha256()) <= 0)
        return fail("signing failed");

    Owned<BIO, BIO_free_all> certificateOut(BIO_new(BIO_s_mem()));
    Owned<BIO, BIO_free_all> keyOut(BIO_new(BIO_s_mem()));
    if (!certificateOut || !keyOut || PEM_write_bio_X509(certificateOut.get(), certificate.get()) != 1
        || PEM_write_bio_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return fail("PEM encoding failed");
    return Pem { drain(certificateOut.get()), drain(keyOut.get()) };
}

std::optional<Files> ensureSelfSigned(const QString &dataDir, const QString &commonName, QString *error)
{
    const QDir dir(dataDir);
    const Files files { dir.filePath(QStringLiteral("hub-cert.pem")), dir.filePath(QStringLiteral("hub-key.pem")) };
    if (QFile::exists(files.certificate) && QFile::exists(files.key))
        return files;
    const std::optional<Pem> pem = makeSelfSigned(commonName, error);
    if (!pem)
        return std::nullopt;
    // The key first: a certificate on disk always has its key beside it.
    if (!writeAtomically(files.key, pem->key, QFile::ReadOwner | QFile::WriteOwner, error)
        || !writeAtomically(files.certificate, pem->certificate,
                            QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther, error))
        return std::nullopt;
    return files;
}

} // namespace Parley::Hub::Tls
