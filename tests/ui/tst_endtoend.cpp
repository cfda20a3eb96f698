// End to end: the desktop app hosts a hub (as with --host) and a stock phoenix.js bot joins
// room:general. The bot sees the app's user in presence and gets what is typed into the app's
// composer; the app shows the bot's message and the bot in its people panel.

#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/messagemodel.h"
#include "client/presencemodel.h"
#include "parley/hostcontroller.h"
#include "parley/workspace.h"
#include "ui/appsettings.h"
#include "ui/composer.h"
#include "ui/mainwindow.h"
#include "ui/messageview.h"
#include "ui/roomnavigator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Parley;

namespace {
constexpr int timeoutMs = 15'000;

Ui::HostOptions hostOptions(const QString &name)
{
    Ui::HostOptions options;
    options.name = name;
    options.port = 0; // any free port
    return options;
}

QString text(const QJsonObject &event, const char *key)
{
    return event.value(QLatin1String(key)).toString();
}
} // namespace

class TestEndToEnd : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void phoenixBotAndAppTalk();
    void appHostsOverTlsAndJoinsItsOwnHub();

private:
    // Lines the bot printed so far, parsed.
    QList<QJsonObject> botEvents();
    bool botSaid(const std::function<bool(const QJsonObject &)> &match);

    QTemporaryDir m_settingsDir;
    QProcess m_bot;
    QByteArray m_botOutput;
};

void TestEndToEnd::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
}

QList<QJsonObject> TestEndToEnd::botEvents()
{
    m_botOutput += m_bot.readAllStandardOutput();
    QList<QJsonObject> events;
    for (const QByteArray &line : m_botOutput.split('\n')) {
        const QJsonDocument document = QJsonDocument::fromJson(line);
        if (document.isObject())
            events.append(document.object());
    }
    return events;
}

bool TestEndToEnd::botSaid(const std::function<bool(const QJsonObject &)> &match)
{
    return QTest::qWaitFor([&] {
        const QList<QJsonObject> events = botEvents();
        return std::any_of(events.cbegin(), events.cend(), match);
    }, timeoutMs);
}

void TestEndToEnd::phoenixBotAndAppTalk()
{
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    QVERIFY2(!node.isEmpty(), "node is not installed: tools/setup.sh installs it");

    Ui::AppSettings settings;
    settings.setNick(QStringLiteral("Ana App"));
    const App::WorkspaceOptions options { {},
                                          Client::DiscoveryMode::Loopback,
                                          QStringLiteral("Parley tests") };
    App::Workspace workspace(&settings, options, App::makeHostController(options));
    Ui::MainWindow window(&workspace, &settings);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QString error;
    QVERIFY2(workspace.host(hostOptions(QStringLiteral("E2E hub")), &error),
             qPrintable(error));
    const QString general = Ui::RoomNavigator::defaultTopic();
    QVERIFY(QTest::qWaitFor([&] {
        return workspace.session() && workspace.session()->isJoined(general)
                && window.composer()->topic() == general;
    }, timeoutMs));

    m_bot.setWorkingDirectory(QStringLiteral(PARLEY_INTEROP_DIR));
    m_bot.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    // The app hosts wss:// (the default): the bot trusts the certificate the app shows.
    QCOMPARE(workspace.hubUrl().scheme(), QStringLiteral("wss"));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("PARLEY_BOT_FINGERPRINT"), workspace.hostController()->fingerprint());
    m_bot.setProcessEnvironment(environment);
    m_bot.start(node, { QStringLiteral("bot.mjs"), workspace.hubUrl().toString(),
                        QStringLiteral("robot-0001"), QStringLiteral("Robo") });
    QVERIFY(m_bot.waitForStarted(timeoutMs));
    QVERIFY2(botSaid([](const QJsonObject &e) { return text(e, "event") == QLatin1String("ready"); }),
             m_botOutput.constData());

    // The bot sees the app's user in its presence list.
    QVERIFY2(botSaid([](const QJsonObject &e) {
                 return text(e, "event") == QLatin1String("presence")
                         && e.value(QLatin1String("nicks")).toArray().contains(QStringLiteral("Ana App"));
             }),
             m_botOutput.constData());
    // And the app sees the bot in its people panel.
    Client::PresenceModel *people = workspace.session()->conversation(general)->presence();
    QVERIFY(people);
    // The bot is the key it signs with: its user_id is the one it reported when ready.
    QString botId;
    for (const QJsonObject &event : botEvents()) {
        if (text(event, "event") == QLatin1String("ready"))
            botId = text(event, "user_id");
    }
    QCOMPARE(botId.size(), 22);
    QTRY_VERIFY_WITH_TIMEOUT(people->rowOfUser(botId) >= 0, timeoutMs);

    // Typed into the composer, received by the bot.
    QTest::keyClicks(window.composer(), QStringLiteral("hello <robot>"));
    QTest::keyClick(window.composer(), Qt::Key_Return);
    QVERIFY2(botSaid([](const QJsonObject &e) {
                 return text(e, "event") == QLatin1String("message") && text(e, "body") == QLatin1String("hello <robot>")
                         && text(e, "nick") == QLatin1String("Ana App");
             }),
             m_botOutput.constData());

    // The bot answers; the app shows it once.
    m_bot.write("send beep boop, human\n");
    Client::MessageModel *shown = window.messageView()->messages();
    QVERIFY(shown);
    const auto botMessages = [shown] {
        int count = 0;
        for (int row = 0; row < shown->rowCount(); ++row) {
            const QModelIndex index = shown->index(row);
            if (index.data(Client::MessageModel::BodyRole).toString() == QLatin1String("beep boop, human")
                && index.data(Client::MessageModel::NickRole).toString() == QLatin1String("Robo"))
                ++count;
        }
        return count;
    };
    QTRY_COMPARE_WITH_TIMEOUT(botMessages(), 1, timeoutMs);

    m_bot.closeWriteChannel(); // the bot leaves when its input ends
    QVERIFY(m_bot.waitForFinished(timeoutMs));
    QTRY_VERIFY_WITH_TIMEOUT(people->rowOfUser(QStringLiteral("robot-0001")) < 0, timeoutMs);
    QCOMPARE(botMessages(), 1);
}

void TestEndToEnd::appHostsOverTlsAndJoinsItsOwnHub()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString certificate = dir.filePath(QStringLiteral("hub.pem"));
    const QString key = dir.filePath(QStringLiteral("hub.key"));
    // A certificate for a host name, reached by IP: the app pins it and accepts the mismatch.
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                    QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
                    QStringLiteral("-out"), certificate, QStringLiteral("-days"), QStringLiteral("2"),
                    QStringLiteral("-subj"), QStringLiteral("/CN=parley-hub.example") });
    QVERIFY(openssl.waitForFinished(60000));
    QCOMPARE(openssl.exitCode(), 0);

    Ui::AppSettings settings;
    settings.setNick(QStringLiteral("Tls Ana"));
    const App::WorkspaceOptions workspaceOptions { {},
                                                   Client::DiscoveryMode::Off,
                                                   QStringLiteral("Parley tests") };
    App::Workspace workspace(&settings, workspaceOptions,
                             App::makeHostController(workspaceOptions));
    Ui::HostOptions options = hostOptions(QStringLiteral("Secure hub"));
    options.tlsCertificateFile = certificate;
    options.tlsKeyFile = key;
    QString error;
    QVERIFY2(workspace.host(options, &error), qPrintable(error));
    QCOMPARE(workspace.hubUrl().scheme(), QStringLiteral("wss"));
    QTRY_VERIFY_WITH_TIMEOUT(workspace.session()
                                     && workspace.session()->connectionState()
                                             == Client::ChatSession::ConnectionState::Connected,
                             timeoutMs);

    QCOMPARE(workspace.pinnedFingerprint(), workspace.hostController()->fingerprint());

    // Without the pin the same hub is not joined: the certificate it showed is reported, for
    // the user to decide, and nothing is retried (the TLS is real).
    Client::ChatSession stranger(Client::Identity { Protocol::Identity::KeyPair::generate(), QStringLiteral("x"), QStringLiteral("desktop") });
    QSignalSpy rejected(&stranger, &Client::ChatSession::certificateRejected);
    stranger.connectToHub(workspace.hubUrl());
    QVERIFY(rejected.wait(timeoutMs));
    QCOMPARE(rejected.first().at(0).toString(), workspace.hostController()->fingerprint());
    QCOMPARE(rejected.first().at(1).toString(), QString());
    QCOMPARE(stranger.connectionState(), Client::ChatSession::ConnectionState::Refused);
    QCOMPARE(stranger.refusalReason(), QStringLiteral("untrusted_certificate"));
    // Trusting what it showed lets it in.
    stranger.trustCertificate(rejected.first().at(0).toString());
    QVERIFY(QTest::qWaitFor([&] { return stranger.connectionState() == Client::ChatSession::ConnectionState::Connected; }, timeoutMs));
    stranger.disconnectFromHub();
}

QTEST_MAIN(TestEndToEnd)
#include "tst_endtoend.moc"
