// The hub's own certificate (docs/protocol.md, "Encryption by default"): a self-signed ECDSA
// P-256 certificate made with OpenSSL, kept in the data directory with its key readable by the
// owner only, reused at the next start; and the fingerprint and safety code clients compare.

#include "hub/hubsettings.h"
#include "hub/selfsignedcertificate.h"
#include "hub/tlsconfig.h"
#include "protocol/fingerprint.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslCertificateExtension>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Parley;
using namespace Parley::Hub;

class TestHubCertificate : public QObject
{
    Q_OBJECT

private slots:
    void madeCertificateIsP256SelfSignedForTheHub()
    {
        QString error;
        const std::optional<Tls::Pem> pem = Tls::makeSelfSigned(QStringLiteral("Ana's hub ✓"), &error);
        QVERIFY2(pem, qPrintable(error));
        const QList<QSslCertificate> chain = QSslCertificate::fromData(pem->certificate, QSsl::Pem);
        QCOMPARE(chain.size(), 1);
        const QSslCertificate &certificate = chain.first();
        QCOMPARE(certificate.subjectInfo(QSslCertificate::CommonName), QStringList { QStringLiteral("Ana's hub ✓") });
        QCOMPARE(certificate.issuerInfo(QSslCertificate::CommonName), QStringList { QStringLiteral("Ana's hub ✓") });
        QVERIFY(certificate.isSelfSigned());
        QCOMPARE(certificate.publicKey().algorithm(), QSsl::Ec);
        QCOMPARE(certificate.publicKey().length(), 256);
        QVERIFY(certificate.subjectAlternativeNames().values(QSsl::DnsEntry).contains(QStringLiteral("localhost")));
        QVERIFY(certificate.subjectAlternativeNames().values(QSsl::IpAddressEntry).contains(QStringLiteral("127.0.0.1")));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(certificate.effectiveDate() < now);
        QVERIFY(certificate.expiryDate() > now.addYears(10));
        const QSslKey key(pem->key, QSsl::Ec, QSsl::Pem);
        QVERIFY(!key.isNull());
        QCOMPARE(key.type(), QSsl::PrivateKey);
        // Every hub its own key: a second certificate shares nothing with the first.
        const std::optional<Tls::Pem> other = Tls::makeSelfSigned(QStringLiteral("Ana's hub ✓"), &error);
        QVERIFY(other);
        QVERIFY(other->key != pem->key);
        QVERIFY(QSslCertificate(other->certificate).serialNumber() != certificate.serialNumber());
    }

    void longNameIsCutNotRefused()
    {
        QString error;
        const std::optional<Tls::Pem> pem = Tls::makeSelfSigned(QString(200, u'x'), &error);
        QVERIFY2(pem, qPrintable(error));
        QCOMPARE(QSslCertificate(pem->certificate).subjectInfo(QSslCertificate::CommonName).value(0).size(), 64);
    }

    void keptInTheDataDirectoryAndReused()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QString error;
        const std::optional<Tls::Files> first = Tls::ensureSelfSigned(dir.path(), QStringLiteral("hub"), &error);
        QVERIFY2(first, qPrintable(error));
        struct stat keyStat {};
        QCOMPARE(::stat(QFile::encodeName(first->key).constData(), &keyStat), 0);
        QCOMPARE(keyStat.st_mode & 0777, 0600u);
        QFile certificate(first->certificate);
        QVERIFY(certificate.open(QIODevice::ReadOnly));
        const QByteArray pem = certificate.readAll();

        const std::optional<Tls::Files> again = Tls::ensureSelfSigned(dir.path(), QStringLiteral("renamed"), &error);
        QVERIFY2(again, qPrintable(error));
        QFile reread(again->certificate);
        QVERIFY(reread.open(QIODevice::ReadOnly));
        QCOMPARE(reread.readAll(), pem); // the same certificate: every pin of it still holds
    }

    void configureServesTheKeptCertificate()
    {
        QTemporaryDir dir;
        HubSettings settings;
        settings.dataDir = dir.path();
        std::optional<QSslConfiguration> first;
        std::optional<QSslConfiguration> second;
        QString error;
        QVERIFY2(Tls::configure(settings, &first, &error), qPrintable(error));
        QVERIFY2(Tls::configure(settings, &second, &error), qPrintable(error));
        QVERIFY(first && second);
        QCOMPARE(Tls::fingerprintOf(*first).size(), 64);
        QCOMPARE(Tls::fingerprintOf(*second), Tls::fingerprintOf(*first));

        settings.tls = false;
        std::optional<QSslConfiguration> none;
        QVERIFY(Tls::configure(settings, &none, &error));
        QVERIFY(!none);

        // A hub without a data directory serves a certificate made for this run.
        settings.tls = true;
        settings.dataDir.clear();
        std::optional<QSslConfiguration> ephemeral;
        QVERIFY2(Tls::configure(settings, &ephemeral, &error), qPrintable(error));
        QVERIFY(ephemeral);
        QVERIFY(Tls::fingerprintOf(*ephemeral) != Tls::fingerprintOf(*first));
    }

    void fingerprintIsSha256OfTheDer()
    {
        QString error;
        const std::optional<Tls::Pem> pem = Tls::makeSelfSigned(QStringLiteral("hub"), &error);
        QVERIFY(pem);
        const QSslCertificate certificate(pem->certificate);
        const QString fingerprint = Protocol::Fingerprint::of(certificate.toDer());
        QCOMPARE(fingerprint, QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex()));
        QCOMPARE(fingerprint, fingerprint.toLower());
        QCOMPARE(fingerprint.size(), 64);
    }

    void fingerprintsAsPeoplePasteThem_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("normalized");
        const QString hex = QStringLiteral("3f2a91c077de0b14c2d90011223344556677889900aabbccddeeff0011223344");
        QTest::addRow("plain") << hex << hex;
        QTest::addRow("prefixed, upper case") << QStringLiteral("sha256:") + hex.toUpper() << hex;
        QString colons;
        for (int i = 0; i < hex.size(); i += 2)
            colons += (i ? QStringLiteral(":") : QString()) + hex.mid(i, 2);
        QTest::addRow("colons (openssl x509 -fingerprint)") << colons.toUpper() << hex;
        QTest::addRow("spaces around") << QStringLiteral("  ") + hex + QStringLiteral("\n") << hex;
        QTest::addRow("one short") << hex.left(63) << QString();
        QTest::addRow("one long") << hex + QStringLiteral("0") << QString();
        QTest::addRow("not hex") << QString(hex).replace(0, 1, u'g') << QString();
        QTest::addRow("empty") << QString() << QString();
    }

    void fingerprintsAsPeoplePasteThem()
    {
        QFETCH(QString, text);
        QFETCH(QString, normalized);
        QCOMPARE(Protocol::Fingerprint::normalized(text), normalized);
    }

    void safetyCodeIsTheFirstEightyBits()
    {
        const QString hex = QStringLiteral("3f2a91c077de0b14c2d90011223344556677889900aabbccddeeff0011223344");
        QCOMPARE(Protocol::Fingerprint::safetyCode(hex), QStringLiteral("3F2A-91C0-77DE-0B14-C2D9"));
        QCOMPARE(Protocol::Fingerprint::safetyCode(QStringLiteral("nope")), QString());
    }
};

QTEST_GUILESS_MAIN(TestHubCertificate)
#include "tst_hubcertificate.moc"
