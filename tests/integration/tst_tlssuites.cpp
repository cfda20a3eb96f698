// TLS 1.2 with AEAD suites only (Protocol::TlsPolicy), on both sides: a real hub on 127.0.0.1
// refuses a client that offers only CBC suites under TLS 1.2 and serves one that offers an
// ECDHE AES-GCM or ChaCha20-Poly1305 suite, or TLS 1.3; and the client (PhoenixSocket) does not
// finish a handshake with a server that offers it only CBC suites.

#include "client/phoenixsocket.h"
#include "hub/selfsignedcertificate.h"
#include "hub/tlsconfig.h"
#include "protocol/fingerprint.h"
#include "protocol/tlspolicy.h"
#include "testhub.h"

#include <QSslCipher>
#include <QSslSocket>
#include <QTcpServer>
#include <QTest>

using namespace Parley;
using Parley::Testing::TestHub;

namespace {

constexpr int handshakeTimeoutMs = 10'000;

// How a client's TLS handshake with a hub ended.
enum class Handshake { Encrypted, Failed };

Handshake handshakeWith(quint16 port, QSsl::SslProtocol protocol, const QString &cipher)
{
    QSslSocket socket;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // the suites are the point here
    configuration.setProtocol(protocol);
    if (!cipher.isEmpty())
        configuration.setCiphers({ QSslCipher(cipher) });
    socket.setSslConfiguration(configuration);
    bool failed = false;
    QObject::connect(&socket, &QSslSocket::errorOccurred, &socket, [&failed] { failed = true; });
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    if (!QTest::qWaitFor([&] { return socket.isEncrypted() || failed; }, handshakeTimeoutMs))
        qWarning() << "the handshake neither ended nor failed";
    return socket.isEncrypted() ? Handshake::Encrypted : Handshake::Failed;
}

// A TLS server on 127.0.0.1 with the hub's kind of certificate that offers only `ciphers` under
// TLS 1.2, counting the handshakes that finished and those that failed.
class NarrowTlsServer : public QTcpServer
{
public:
    explicit NarrowTlsServer(const QList<QSslCipher> &ciphers)
    {
        QString error;
        const auto pem = Hub::Tls::makeSelfSigned(QStringLiteral("narrow"), &error);
        QVERIFY2(pem, qPrintable(error));
        const auto configuration
            = Hub::Tls::serverConfigurationFromPem(pem->certificate, pem->key, &error);
        QVERIFY2(configuration, qPrintable(error));
        m_configuration = *configuration;
        m_configuration.setProtocol(QSsl::TlsV1_2);
        m_configuration.setCiphers(ciphers);
        m_fingerprint = Protocol::Fingerprint::of(m_configuration.localCertificate().toDer());
        QVERIFY(listen(QHostAddress::LocalHost, 0));
    }

    QUrl url() const { return QUrl(QStringLiteral("wss://127.0.0.1:%1/socket").arg(serverPort())); }
    QString fingerprint() const { return m_fingerprint; }
    int encrypted() const { return m_encrypted; }
    int failed() const { return m_failed; }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *tls = new QSslSocket(this);
        tls->setSocketDescriptor(descriptor);
        tls->setSslConfiguration(m_configuration);
        connect(tls, &QSslSocket::encrypted, this, [this] { ++m_encrypted; });
        connect(tls, &QSslSocket::errorOccurred, this, [this] { ++m_failed; });
        tls->startServerEncryption();
    }

private:
    QSslConfiguration m_configuration;
    QString m_fingerprint;
    int m_encrypted = 0;
    int m_failed = 0;
};

} // namespace

class tst_TlsSuites : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void policyKeepsOnlyForwardSecretAeadSuites();
    void hubOffersOnlyAeadSuitesUnderTls12_data();
    void hubOffersOnlyAeadSuitesUnderTls12();
    void clientOffersOnlyAeadSuitesUnderTls12_data();
    void clientOffersOnlyAeadSuitesUnderTls12();

private:
    std::unique_ptr<TestHub> m_hub;
};

void tst_TlsSuites::initTestCase()
{
    Hub::HubSettings settings = TestHub::settings();
    settings.tls = true;
    m_hub = std::make_unique<TestHub>(settings);
    QVERIFY(m_hub->start());
    QVERIFY(!m_hub->runner().fingerprint().isEmpty());
}

void tst_TlsSuites::policyKeepsOnlyForwardSecretAeadSuites()
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    Protocol::TlsPolicy::apply(&configuration);
    QCOMPARE(configuration.protocol(), QSsl::TlsV1_2OrLater);
    QStringList names;
    for (const QSslCipher &cipher : configuration.ciphers())
        names.append(cipher.name());
    for (const char *kept : { "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                              "TLS_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256",
                              "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305" })
        QVERIFY2(names.contains(QLatin1String(kept)), kept);
    for (const QString &name : std::as_const(names)) {
        QVERIFY2(name.startsWith(QLatin1String("TLS_")) || name.startsWith(QLatin1String("ECDHE-")),
                 qPrintable(name));
        QVERIFY2(name.contains(QLatin1String("GCM")) || name.contains(QLatin1String("CHACHA20")),
                 qPrintable(name));
        QVERIFY2(!name.contains(QLatin1String("PSK")), qPrintable(name));
    }
}

void tst_TlsSuites::hubOffersOnlyAeadSuitesUnderTls12_data()
{
    QTest::addColumn<int>("protocol");
    QTest::addColumn<QString>("cipher"); // empty: the defaults of that protocol
    QTest::addColumn<bool>("served");
    const int tls12 = int(QSsl::TlsV1_2);
    QTest::addRow("TLS 1.2 ECDHE-ECDSA-AES128-SHA (CBC, SHA-1)")
        << tls12 << QStringLiteral("ECDHE-ECDSA-AES128-SHA") << false;
    QTest::addRow("TLS 1.2 ECDHE-ECDSA-AES256-SHA (CBC, SHA-1)")
        << tls12 << QStringLiteral("ECDHE-ECDSA-AES256-SHA") << false;
    QTest::addRow("TLS 1.2 ECDHE-ECDSA-AES128-SHA256 (CBC)")
        << tls12 << QStringLiteral("ECDHE-ECDSA-AES128-SHA256") << false;
    QTest::addRow("TLS 1.2 ECDHE-ECDSA-AES128-GCM-SHA256")
        << tls12 << QStringLiteral("ECDHE-ECDSA-AES128-GCM-SHA256") << true;
    QTest::addRow("TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384")
        << tls12 << QStringLiteral("ECDHE-ECDSA-AES256-GCM-SHA384") << true;
    QTest::addRow("TLS 1.2 ECDHE-ECDSA-CHACHA20-POLY1305")
        << tls12 << QStringLiteral("ECDHE-ECDSA-CHACHA20-POLY1305") << true;
    QTest::addRow("TLS 1.3") << int(QSsl::TlsV1_3) << QString() << true;
}

void tst_TlsSuites::hubOffersOnlyAeadSuitesUnderTls12()
{
    QFETCH(int, protocol);
    QFETCH(QString, cipher);
    QFETCH(bool, served);
    QVERIFY2(cipher.isEmpty() || !QSslCipher(cipher).isNull(), "this OpenSSL lacks the suite");
    const quint16 port = quint16(m_hub->url().port());
    const Handshake expected = served ? Handshake::Encrypted : Handshake::Failed;
    QCOMPARE(handshakeWith(port, QSsl::SslProtocol(protocol), cipher), expected);
}

void tst_TlsSuites::clientOffersOnlyAeadSuitesUnderTls12_data()
{
    QTest::addColumn<QString>("serverCipher");
    QTest::addColumn<bool>("finished");
    QTest::addRow("server with ECDHE-ECDSA-AES128-SHA only")
        << QStringLiteral("ECDHE-ECDSA-AES128-SHA") << false;
    QTest::addRow("server with ECDHE-ECDSA-AES256-SHA384 only")
        << QStringLiteral("ECDHE-ECDSA-AES256-SHA384") << false;
    QTest::addRow("server with ECDHE-ECDSA-AES128-GCM-SHA256 only")
        << QStringLiteral("ECDHE-ECDSA-AES128-GCM-SHA256") << true;
}

void tst_TlsSuites::clientOffersOnlyAeadSuitesUnderTls12()
{
    QFETCH(QString, serverCipher);
    QFETCH(bool, finished);
    NarrowTlsServer server({ QSslCipher(serverCipher) });
    if (QTest::currentTestFailed())
        return;
    // The client trusts the server's certificate (pinned), so only the suites can stop it.
    Client::PhoenixSocket socket(server.url(), [] { return Client::PhoenixSocket::Params {}; });
    socket.setPinnedFingerprint(server.fingerprint());
    socket.connect();
    QTRY_VERIFY_WITH_TIMEOUT(server.encrypted() + server.failed() > 0, handshakeTimeoutMs);
    QCOMPARE(server.encrypted(), finished ? 1 : 0);
    socket.disconnect();
}

QTEST_GUILESS_MAIN(tst_TlsSuites)
#include "tst_tlssuites.moc"
