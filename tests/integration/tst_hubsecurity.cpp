// TLS (wss:// with a pinned self-signed certificate), the Origin check and the bounds on
// password guesses (per address, refused at once, never queued), against a real hub on
// 127.0.0.1, with a second "host" at 127.0.0.2.

#include "handmadewebsocket.h"
#include "hub/hubrunner.h"
#include "rawphoenixclient.h"
#include "testhub.h"
#include "testkeys.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
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
    void hubPasswordGuessesAreRefusedAtOnceOverTheRate();
    void refusedHubPasswordBurnsItsSignedConnect();
    void roomPasswordGuessesAreBoundedPerAddress();

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

namespace {

const QHostAddress otherHost(QStringLiteral("127.0.0.2"));

// A connect from `local` (another host, to the hub's per-address limits), signed for `hub`.
std::unique_ptr<Parley::Testing::HandmadeWebSocket>
openFrom(const QHostAddress &local, const HubRunner &hub, const QString &extra = {})
{
    auto socket = std::make_unique<Parley::Testing::HandmadeWebSocket>();
    socket->setLocalAddress(local);
    socket->open(socketUrl(hub, extra));
    return socket;
}

// The hub's answer to a heartbeat: proof that a connect was let in.
bool heartbeatAnswered(Parley::Testing::HandmadeWebSocket &socket)
{
    if (!socket.waitForUpgrade())
        return false;
    const int before = int(socket.textMessages().size());
    socket.sendText(R"([null,"hb","phoenix","heartbeat",{}])");
    return socket.waitForText(R"("status":"ok")", before) >= 0;
}

} // namespace

void tst_HubSecurity::hubPasswordGuessesAreRefusedAtOnceOverTheRate()
{
    HubSettings settings = localSettings();
    settings.password = QStringLiteral("s3cret pass");
    HubRunner hub(settings);
    QVERIFY(hub.start());
    // The address's burst of guesses: each refused as it comes (no hold-back to queue up).
    for (int attempt = 0; attempt < settings.passwordGuessBurst; ++attempt) {
        QWebSocket socket;
        QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
        socket.open(socketUrl(hub, QStringLiteral("&password=guess%1").arg(attempt)));
        QVERIFY(disconnected.wait(10000));
        QCOMPARE(int(socket.closeCode()), 1008);
        QCOMPARE(socket.closeReason(), QStringLiteral("unauthorized"));
    }
    // Then the address is over its rate: refused at once with when to come back (about a
    // second: the rate is one a second), the right password too, unchecked.
    for (const QString &password : { QStringLiteral("guess9"), QStringLiteral("s3cret%20pass") }) {
        QWebSocket socket;
        QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
        socket.open(socketUrl(hub, QStringLiteral("&password=") + password));
        QVERIFY(disconnected.wait(10000));
        QCOMPARE(int(socket.closeCode()), 1008);
        const QRegularExpressionMatch retry
            = QRegularExpression(QStringLiteral("^rate_limited:(\\d+)$"))
                  .match(socket.closeReason());
        QVERIFY2(retry.hasMatch(), qPrintable(socket.closeReason()));
        QVERIFY(retry.captured(1).toInt() >= 1 && retry.captured(1).toInt() <= 1000);
    }
    // Another host on the LAN is not held back by this one's guesses.
    auto right = openFrom(otherHost, hub, QStringLiteral("&password=s3cret%20pass"));
    QVERIFY2(heartbeatAnswered(*right), right->closeReason().toUtf8().constData());
    auto wrong = openFrom(otherHost, hub, QStringLiteral("&password=nope"));
    QVERIFY(wrong->waitForClose());
    QCOMPARE(wrong->closeReason(), QStringLiteral("unauthorized"));
}

void tst_HubSecurity::refusedHubPasswordBurnsItsSignedConnect()
{
    // One signed connect used to serve any number of guesses (it was remembered only when
    // accepted). Refused, it is spent: the same URL again is a replay, not another guess.
    HubSettings settings = localSettings();
    settings.password = QStringLiteral("s3cret pass");
    HubRunner hub(settings);
    QVERIFY(hub.start());
    const QUrl url = socketUrl(hub, QStringLiteral("&password=wrong"));
    QStringList reasons;
    for (int attempt = 0; attempt < 2; ++attempt) {
        QWebSocket socket;
        QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
        socket.open(url);
        QVERIFY(disconnected.wait(10000));
        reasons << socket.closeReason();
    }
    QCOMPARE(reasons, (QStringList { QStringLiteral("unauthorized"), QStringLiteral("replayed") }));
}

void tst_HubSecurity::roomPasswordGuessesAreBoundedPerAddress()
{
    HubSettings settings = localSettings();
    TestHub hub(settings);
    QVERIFY(hub.start());
    RawPhoenixClient owner;
    QVERIFY(owner.openAccepted(hub.url(), QStringLiteral("vaultowner1"), QStringLiteral("owner")));
    QVERIFY(owner.joinAndWait(QStringLiteral("hub:lobby")));
    const auto created = owner.pushAndWait(QStringLiteral("hub:lobby"), QStringLiteral("create_room"),
                                           QJsonObject { { "name", "vault" }, { "password", "open sesame" } });
    QVERIFY(created);
    QCOMPARE(created->replyStatus(), QStringLiteral("ok"));

    // A guesser on 127.0.0.1 with four connections sends 40 guesses as fast as it can.
    QElapsedTimer clock;
    clock.start();
    std::vector<std::unique_ptr<RawPhoenixClient>> guessers;
    QList<QPair<RawPhoenixClient *, QString>> refs;
    for (int c = 0; c < 4; ++c) {
        guessers.push_back(std::make_unique<RawPhoenixClient>());
        QVERIFY(guessers.back()->openAccepted(hub.url(), QStringLiteral("guesser%1").arg(c),
                                              QStringLiteral("g")));
    }
    for (int i = 0; i < 40; ++i) {
        RawPhoenixClient *guesser = guessers[size_t(i % 4)].get();
        refs.append(
            { guesser,
              guesser->join(QStringLiteral("room:vault"),
                            QJsonObject { { "password", QStringLiteral("guess%1").arg(i) } }) });
    }
    // Meanwhile someone on another host with the right password gets in.
    Parley::Testing::HandmadeWebSocket friendly;
    friendly.setLocalAddress(otherHost);
    friendly.open(RawPhoenixClient::socketUrl(
        hub.url(), RawPhoenixClient::params(QStringLiteral("friend0001"), QStringLiteral("f"))));
    QVERIFY(friendly.waitForUpgrade());
    friendly.sendText(R"(["1","1","room:vault","phx_join",{"password":"open sesame"}])");
    const int joined = friendly.waitForText(R"("room:vault","phx_reply")");
    QVERIFY(joined >= 0);
    QVERIFY2(friendly.textMessages().at(joined).contains(R"("status":"ok")"),
             friendly.textMessages().at(joined).constData());

    // Every guess is answered (none waits in a queue): refused as wrong, or refused at once
    // as over the rate with when to retry. The checks made are within the address's burst
    // and rate, however fast the guesses came.
    int wrong = 0;
    int limited = 0;
    for (const auto &[guesser, ref] : std::as_const(refs)) {
        const auto reply = guesser->waitForReply(ref, 10000);
        QVERIFY(reply);
        QCOMPARE(reply->replyStatus(), QStringLiteral("error"));
        const QString reason = reply->replyResponse().value("reason").toString();
        if (reason == QLatin1String("unauthorized")) {
            ++wrong;
        } else {
            QCOMPARE(reason, QStringLiteral("rate_limited"));
            QVERIFY(reply->replyResponse().value("retry_after_ms").toInteger() > 0);
            ++limited;
        }
    }
    const double seconds = double(clock.elapsed()) / 1000.0;
    const int allowed
        = settings.passwordGuessBurst + int(seconds * settings.passwordGuessesPerMinute / 60.0) + 1;
    QVERIFY2(wrong >= 1 && wrong <= allowed,
             qPrintable(QStringLiteral("%1 checks in %2 s, at most %3 allowed")
                            .arg(wrong)
                            .arg(seconds)
                            .arg(allowed)));
    QCOMPARE(wrong + limited, 40);
}

QTEST_MAIN(tst_HubSecurity)
#include "tst_hubsecurity.moc"
