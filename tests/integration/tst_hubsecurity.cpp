// TLS (wss:// with a pinned self-signed certificate), the Origin check and the slowing of
// password guesses, against a real hub on 127.0.0.1.

#include "hub/hubrunner.h"
#include "hub/passwordthrottle.h"
#include "rawphoenixclient.h"
#include "testhub.h"
#include "testkeys.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QWebSocket>

using namespace Parley::Hub;
using Parley::Testing::RawPhoenixClient;
using Parley::Testing::TestHub;

namespace {

QUrl socketUrl(const HubRunner &hub, const QString &extra = {})
{
    // A signed connect for this hub (RawPhoenixClient::socketUrl signs) plus `extra`
    // ("&password=...").
    Parley::Testing::TestKeys::setHubBinding(hub.port(), hub.connectBinding());
    QUrlQuery query = RawPhoenixClient::params(QStringLiteral("securetester"), QStringLiteral("sec"));
    const QUrlQuery more(extra.mid(1));
    for (const auto &[key, value] : more.queryItems(QUrl::FullyEncoded))
        query.addQueryItem(key, value);
    return RawPhoenixClient::socketUrl(hub.url(), query);
}

HubSettings localSettings()
{
    return Parley::Testing::TestHub::settings();
}

// Sends a heartbeat and waits for its reply: proof that the Phoenix layer is reachable.
bool heartbeatAnswered(QWebSocket &socket)
{
    QSignalSpy replies(&socket, &QWebSocket::textMessageReceived);
    socket.sendTextMessage(QStringLiteral(R"([null,"hb","phoenix","heartbeat",{}])"));
    if (!replies.wait(5000))
        return false;
    const QJsonArray frame = QJsonDocument::fromJson(replies.first().first().toString().toUtf8()).array();
    return frame.at(1).toString() == QLatin1String("hb")
            && frame.at(4).toObject().value(QLatin1String("status")).toString() == QLatin1String("ok");
}

} // namespace

class tst_HubSecurity : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void tlsServesAClientThatPinsTheCertificate();
    void tlsRefusesAClientThatDoesNotTrustTheCertificate();
    void tlsHubRefusesPlainWebSocket();
    void ownCertificateSurvivesRestarts();
    void noTlsServesPlainWebSocket();
    void originCheck_data();
    void originCheck();
    void wrongHubPasswordIsRefusedAndThrottled();
    void wrongRoomPasswordIsRefusedAndThrottled();
    void throttleDoublesAndForgets();

private:
    QTemporaryDir m_dir;
    QString m_cert;
    QString m_key;
};

void tst_HubSecurity::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_cert = m_dir.filePath(QStringLiteral("cert.pem"));
    m_key = m_dir.filePath(QStringLiteral("key.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                    QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), m_key,
                    QStringLiteral("-out"), m_cert, QStringLiteral("-days"), QStringLiteral("2"),
                    QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                    QStringLiteral("subjectAltName=IP:127.0.0.1") });
    QVERIFY2(openssl.waitForFinished(60000), "openssl did not finish");
    QCOMPARE(openssl.exitCode(), 0);
}

void tst_HubSecurity::tlsServesAClientThatPinsTheCertificate()
{
    HubSettings settings = localSettings();
    settings.tls = true;
    settings.tlsCertificateFile = m_cert;
    settings.tlsKeyFile = m_key;
    HubRunner hub(settings);
    QString error;
    QVERIFY2(hub.start(&error), qPrintable(error));
    QCOMPARE(hub.url().scheme(), QStringLiteral("wss"));

    QFile certificateFile(m_cert);
    QVERIFY(certificateFile.open(QIODevice::ReadOnly));
    QSslConfiguration pinned = QSslConfiguration::defaultConfiguration();
    pinned.setCaCertificates(QSslCertificate::fromData(certificateFile.readAll()));
    QWebSocket socket;
    socket.setSslConfiguration(pinned);
    QSignalSpy connected(&socket, &QWebSocket::connected);
    socket.open(socketUrl(hub));
    QVERIFY(connected.wait(10000));
    QVERIFY(heartbeatAnswered(socket));
}

void tst_HubSecurity::tlsRefusesAClientThatDoesNotTrustTheCertificate()
{
    HubSettings settings = localSettings();
    settings.tls = true;
    settings.tlsCertificateFile = m_cert;
    settings.tlsKeyFile = m_key;
    HubRunner hub(settings);
    QVERIFY(hub.start());
    QWebSocket socket; // system CAs only: the self-signed certificate is not trusted
    QSignalSpy sslErrors(&socket, &QWebSocket::sslErrors);
    QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
    socket.open(socketUrl(hub));
    QVERIFY(disconnected.wait(10000));
    QVERIFY(!sslErrors.isEmpty());
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
}

void tst_HubSecurity::tlsHubRefusesPlainWebSocket()
{
    HubSettings settings = localSettings();
    settings.tls = true;
    settings.tlsCertificateFile = m_cert;
    settings.tlsKeyFile = m_key;
    settings.handshakeTimeoutMs = 1000;
    HubRunner hub(settings);
    QVERIFY(hub.start());
    QUrl plain = socketUrl(hub);
    plain.setScheme(QStringLiteral("ws"));
    QWebSocket socket;
    QSignalSpy connected(&socket, &QWebSocket::connected);
    QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
    socket.open(plain);
    QVERIFY(disconnected.wait(10000));
    QCOMPARE(connected.size(), 0);
}

void tst_HubSecurity::ownCertificateSurvivesRestarts()
{
    QTemporaryDir dir;
    HubSettings settings = localSettings();
    settings.tls = true;
    settings.dataDir = dir.path();
    QString first;
    for (int run = 0; run < 2; ++run) {
        HubRunner hub(settings);
        QString error;
        QVERIFY2(hub.start(&error), qPrintable(error));
        QCOMPARE(hub.url().scheme(), QStringLiteral("wss"));
        QCOMPARE(hub.fingerprint().size(), 64);
        if (run == 0)
            first = hub.fingerprint();
        else
            QCOMPARE(hub.fingerprint(), first); // every pin of it still holds

        // What a TLS client sees is that certificate.
        QWebSocket socket;
        QSslConfiguration noAuthority = QSslConfiguration::defaultConfiguration();
        noAuthority.setCaCertificates({});
        socket.setSslConfiguration(noAuthority);
        QString presented;
        connect(&socket, &QWebSocket::sslErrors, &socket, [&socket, &presented] {
            presented = QString::fromLatin1(
                    socket.sslConfiguration().peerCertificate().digest(QCryptographicHash::Sha256).toHex());
            socket.ignoreSslErrors();
        });
        QSignalSpy connected(&socket, &QWebSocket::connected);
        socket.open(socketUrl(hub));
        QVERIFY(connected.wait(10000));
        QCOMPARE(presented, first);
        QVERIFY(heartbeatAnswered(socket));
    }
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("hub-cert.pem"))));
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral("hub-key.pem"))));
}

void tst_HubSecurity::noTlsServesPlainWebSocket()
{
    HubSettings settings = localSettings();
    settings.tls = false;
    HubRunner hub(settings);
    QVERIFY(hub.start());
    QCOMPARE(hub.url().scheme(), QStringLiteral("ws"));
    QVERIFY(hub.fingerprint().isEmpty());
    QWebSocket socket;
    QSignalSpy connected(&socket, &QWebSocket::connected);
    socket.open(socketUrl(hub));
    QVERIFY(connected.wait(10000));
    QVERIFY(heartbeatAnswered(socket));
}

void tst_HubSecurity::originCheck_data()
{
    QTest::addColumn<QString>("origin");
    QTest::addColumn<QStringList>("allowed");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("no origin (native client)") << QString() << QStringList() << true;
    QTest::addRow("same host") << QStringLiteral("http://127.0.0.1:9") << QStringList() << true;
    QTest::addRow("other site") << QStringLiteral("http://evil.example") << QStringList() << false;
    QTest::addRow("other site, allow-listed")
            << QStringLiteral("http://chat.example") << QStringList { QStringLiteral("http://chat.example") } << true;
    QTest::addRow("other site, other allowed")
            << QStringLiteral("http://evil.example") << QStringList { QStringLiteral("http://chat.example") } << false;
    QTest::addRow("wildcard") << QStringLiteral("http://any.example") << QStringList { QStringLiteral("*") } << true;
}

void tst_HubSecurity::originCheck()
{
    QFETCH(QString, origin);
    QFETCH(QStringList, allowed);
    QFETCH(bool, accepted);
    HubSettings settings = localSettings();
    settings.allowedOrigins = allowed;
    HubRunner hub(settings);
    QVERIFY(hub.start());
    QWebSocket socket(origin);
    QSignalSpy connected(&socket, &QWebSocket::connected);
    QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
    socket.open(socketUrl(hub));
    QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty() || !disconnected.isEmpty(), 10000);
    QCOMPARE(!connected.isEmpty(), accepted);
    if (accepted)
        QVERIFY(heartbeatAnswered(socket));
}

void tst_HubSecurity::wrongHubPasswordIsRefusedAndThrottled()
{
    HubSettings settings = localSettings();
    settings.password = QStringLiteral("s3cret pass");
    HubRunner hub(settings);
    QVERIFY(hub.start());
    // Each wrong password from this address is answered later than the one before: 100, 200,
    // 400 ms. Only lower bounds are checked (a busy machine can only add to them); 10 % slack
    // for timer rounding.
    for (int attempt = 0; attempt < 3; ++attempt) {
        QWebSocket socket;
        QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
        QElapsedTimer clock;
        clock.start();
        socket.open(socketUrl(hub, QStringLiteral("&password=guess%1").arg(attempt)));
        QVERIFY(disconnected.wait(10000));
        const qint64 heldBackMs = 100 << attempt;
        QVERIFY2(clock.elapsed() >= heldBackMs * 9 / 10,
                 qPrintable(QStringLiteral("attempt %1 refused after %2 ms, expected at least %3")
                                    .arg(attempt).arg(clock.elapsed()).arg(heldBackMs)));
        QCOMPARE(int(socket.closeCode()), 1008);
        QCOMPARE(socket.closeReason(), QStringLiteral("unauthorized"));
    }
    QWebSocket right;
    QSignalSpy connected(&right, &QWebSocket::connected);
    right.open(socketUrl(hub, QStringLiteral("&password=s3cret%20pass")));
    QVERIFY(connected.wait(10000));
    QVERIFY(heartbeatAnswered(right));
}

void tst_HubSecurity::wrongRoomPasswordIsRefusedAndThrottled()
{
    TestHub hub;
    QVERIFY(hub.start());
    RawPhoenixClient owner;
    QVERIFY(owner.openAccepted(hub.url(), QStringLiteral("vaultowner1"), QStringLiteral("owner")));
    QVERIFY(owner.joinAndWait(QStringLiteral("hub:lobby")));
    const auto created = owner.pushAndWait(QStringLiteral("hub:lobby"), QStringLiteral("create_room"),
                                           QJsonObject { { "name", "vault" }, { "password", "open sesame" } });
    QVERIFY(created);
    QCOMPARE(created->replyStatus(), QStringLiteral("ok"));

    RawPhoenixClient guesser;
    QVERIFY(guesser.openAccepted(hub.url(), QStringLiteral("guesser0001"), QStringLiteral("guess")));
    for (int attempt = 0; attempt < 3; ++attempt) {
        const qint64 sentAt = guesser.elapsedMs();
        const auto reply = guesser.joinAndWait(QStringLiteral("room:vault"),
                                               QJsonObject { { "password", QStringLiteral("guess%1").arg(attempt) } },
                                               10000);
        QVERIFY(reply);
        QCOMPARE(reply->replyStatus(), QStringLiteral("error"));
        QCOMPARE(reply->replyResponse().value("reason").toString(), QStringLiteral("unauthorized"));
        const qint64 tookMs = guesser.elapsedMs() - sentAt;
        const qint64 heldBackMs = 100 << attempt;
        QVERIFY2(tookMs >= heldBackMs * 9 / 10,
                 qPrintable(QStringLiteral("attempt %1 refused after %2 ms, expected at least %3")
                                    .arg(attempt).arg(tookMs).arg(heldBackMs)));
    }
    const auto right = guesser.joinAndWait(QStringLiteral("room:vault"),
                                           QJsonObject { { "password", "open sesame" } }, 10000);
    QVERIFY(right);
    QCOMPARE(right->replyStatus(), QStringLiteral("ok"));
}

void tst_HubSecurity::throttleDoublesAndForgets()
{
    PasswordThrottle throttle;
    const QHostAddress a(QStringLiteral("127.0.0.2"));
    const QHostAddress b(QStringLiteral("127.0.0.3"));
    QCOMPARE(throttle.failed(a, 1000), 100);
    QCOMPARE(throttle.failed(a, 1100), 200);
    QCOMPARE(throttle.failed(a, 1200), 400);
    QCOMPARE(throttle.failed(b, 1200), 100); // per address
    for (int i = 0; i < 10; ++i)
        throttle.failed(a, 1300 + i);
    QCOMPARE(throttle.failed(a, 1400), 5000); // capped
    QCOMPARE(throttle.failures(a, 1400 + 61'000), 0); // forgotten after a minute
    QCOMPARE(throttle.failed(a, 1400 + 61'000), 100);
    throttle.succeeded(b);
    QCOMPARE(throttle.failures(b, 1300), 0);
}

QTEST_MAIN(tst_HubSecurity)
#include "tst_hubsecurity.moc"
