// The desktop app on several hubs at once (issue 17): hosting one hub while joined to a second,
// both real hubs on 127.0.0.1, with the real Workspace, Launcher and window: the user is present
// on both, messages go out on both, a hub in the background counts unread messages and mentions
// on its rail icon and notifies, leaving or stopping one hub leaves the other alone, the set of
// hubs comes back at the next start, and the first start lists the hubs found on the LAN.

#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/hubaddress.h"
#include "client/hublistmodel.h"
#include "client/identityfile.h"
#include "client/invitelink.h"
#include "client/messagemodel.h"
#include "client/presencemodel.h"
#include "client/roomlistmodel.h"
#include "hubprocess.h"
#include "parley/hostcontroller.h"
#include "parley/launcher.h"
#include "parley/workspace.h"
#include "testhub.h"
#include "testkeys.h"
#include "testwindow.h"
#include "ui/composer.h"
#include "ui/connectionbanner.h"
#include "ui/hubheader.h"
#include "ui/hubrail.h"
#include "ui/mainwindow.h"
#include "ui/messagedelegate.h"
#include "ui/messageview.h"
#include "ui/notifier.h"
#include "ui/roomnavigator.h"
#include "ui/statusbutton.h"
#include "ui/welcomepane.h"

#include <QApplication>
#include <QFile>
#include <QInputDialog>
#include <QLabel>
#include <QListView>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace Parley;
using Client::ChatSession;
using Client::HubListModel;
using Testing::otherUser;

namespace {

constexpr int hubTimeoutMs = 10'000;
const QString general = Ui::RoomNavigator::defaultTopic();

std::unique_ptr<Testing::TestHub> startHub(const QString &name,
                                           Hub::DiscoveryMode discovery = Hub::DiscoveryMode::Off)
{
    Hub::HubSettings settings = Testing::TestHub::settings();
    settings.name = name;
    settings.discovery = discovery;
    auto hub = std::make_unique<Testing::TestHub>(settings);
    return hub->start() ? std::move(hub) : nullptr;
}

bool connectedAndIn(const ChatSession *session, const QString &topic)
{
    return session && session->connectionState() == ChatSession::ConnectionState::Connected
        && session->isJoined(topic);
}

bool hasMessage(const ChatSession *session, const QString &topic, const QString &body)
{
    const Client::MessageModel *messages
        = session ? session->conversation(topic)->messages() : nullptr;
    if (!messages)
        return false;
    for (int row = 0; row < messages->rowCount(); ++row) {
        if (messages->data(messages->index(row), Client::MessageModel::BodyRole).toString() == body)
            return true;
    }
    return false;
}

} // namespace

class TestMultiHub : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void hostsOneHubWhileJoinedToASecond();
    void aHubInTheBackgroundCountsUnreadAndMentions();
    void leavingOrStoppingOneHubLeavesTheOtherAlone();
    void theJoinedHubsComeBackAtTheNextStart();
    void firstStartListsTheHubsOnTheLanAndJoinsOne();
    void theCommandLineHostsAndJoinsAtOnce();
    void anInviteLinkJoinsItsHubAndOpensItsRoom();
    void rememberedHubsComeBackAndSayWhetherTheyAnswer();
    void aHubIsRememberedOnceWithEveryAddress();
    void aRestartComesBackToTheRoomWithItsUnreadAndNoPasswordPrompt();
    void stoppingTheHubAsksOnlyWhenOthersAreConnected();

private:
    // Ana's app hosting "Team hub" and joined to m_second, as `parley --host "Team hub" --join
    // URL` starts it.
    void startHostingAndJoined();
    void showHubInRail(ChatSession *session);
    // The app quits (window closed, so what it saves on closing is saved).
    void quitApp();
    // The app starts again on the same settings, hosting if `canHost`, and does what the launcher
    // does without arguments: back to the hubs of the last run.
    void startAppAgain(bool canHost);
    void send(const QString &body);
    ChatSession *hosted() const { return m_workspace->hubs()->hosted(); }
    ChatSession *joined() const { return m_workspace->sessionFor(m_second->url()); }

    QTemporaryDir m_settingsDir;
    std::unique_ptr<Testing::TestHub> m_second;
    std::unique_ptr<Ui::AppSettings> m_settings;
    std::unique_ptr<App::Workspace> m_workspace;
    std::unique_ptr<Ui::MainWindow> m_window;
};

void TestMultiHub::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    Testing::keepSettingsIn(m_settingsDir.path());
}

void TestMultiHub::init()
{
    m_second = startHub(QStringLiteral("Design team"));
    QVERIFY(m_second);
    Testing::TestWindow made = Testing::openTestWindow(
        Client::DiscoveryMode::Loopback,
        App::makeHostController(
            { {}, Client::DiscoveryMode::Loopback, QStringLiteral("Parley tests") }));
    m_settings = std::move(made.settings);
    m_workspace = std::move(made.workspace);
    m_window = std::move(made.window);
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestMultiHub::cleanup()
{
    m_window.reset();
    m_workspace.reset();
    m_settings.reset();
    m_second.reset();
    Testing::clearSettings();
}

void TestMultiHub::startHostingAndJoined()
{
    App::LaunchOptions options;
    options.hostName = QStringLiteral("Team hub");
    options.port = 0;
    options.joinUrls = { m_second->url() };
    App::Launcher launcher(m_settings.get(), m_workspace.get(), m_window.get());
    QString error;
    QVERIFY2(launcher.start(options, &error), qPrintable(error));
    QVERIFY(hosted());
    QVERIFY(joined());
    QTRY_VERIFY_WITH_TIMEOUT(connectedAndIn(hosted(), general) && connectedAndIn(joined(), general),
                             hubTimeoutMs);
}

void TestMultiHub::quitApp()
{
    m_window->close();
    m_window.reset();
    m_workspace.reset();
}

void TestMultiHub::startAppAgain(bool canHost)
{
    const App::WorkspaceOptions options { {},
                                          Client::DiscoveryMode::Off,
                                          QStringLiteral("Parley tests") };
    m_workspace = std::make_unique<App::Workspace>(
        m_settings.get(), options, canHost ? App::makeHostController(options) : nullptr);
    m_window = std::make_unique<Ui::MainWindow>(m_workspace.get(), m_settings.get());
    m_window->show();
    App::Launcher launcher(m_settings.get(), m_workspace.get(), m_window.get());
    QString error;
    QVERIFY2(launcher.start({}, &error), qPrintable(error));
}

void TestMultiHub::showHubInRail(ChatSession *session)
{
    QListView *rail = m_window->hubRail()->view();
    const QModelIndex index = rail->model()->index(m_workspace->hubs()->rowOf(session), 0);
    QVERIFY(index.isValid());
    QTest::mouseClick(rail->viewport(), Qt::LeftButton, {}, rail->visualRect(index).center());
    QCOMPARE(m_workspace->session(), session);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->navigator()->currentTopic() == general
                                 && m_window->composer()->topic() == general,
                             hubTimeoutMs);
}

void TestMultiHub::send(const QString &body)
{
    Ui::Composer *composer = m_window->composer();
    QTest::keyClicks(composer, body);
    QTest::keyClick(composer, Qt::Key_Return);
}

void TestMultiHub::hostsOneHubWhileJoinedToASecond()
{
    startHostingAndJoined();
    if (QTest::currentTestFailed())
        return;
    // Two icons, the hosted hub first and shown, as the command line gave them.
    const HubListModel *hubs = m_workspace->hubs();
    QCOMPARE(hubs->rowCount(), 2);
    QVERIFY(m_window->hubRail()->isVisible());
    QCOMPARE(hubs->sessionAt(0), hosted());
    QCOMPARE(hubs->sessionAt(1), joined());
    QCOMPARE(m_workspace->session(), hosted());
    QTRY_COMPARE(hubs->index(0).data(HubListModel::NameRole).toString(),
                 QStringLiteral("Team hub"));
    QTRY_COMPARE(hubs->index(1).data(HubListModel::NameRole).toString(),
                 QStringLiteral("Design team"));
    QVERIFY(hubs->index(0).data(HubListModel::HostedRole).toBool());
    QVERIFY(!hubs->index(1).data(HubListModel::HostedRole).toBool());

    // Someone on each hub sees Tester there, and gets what Tester writes on that hub only.
    const QString userId = m_settings->userId();
    auto bob = otherUser(hosted()->hubUrl(), QStringLiteral("bob-00001"), QStringLiteral("Bob"),
                         m_workspace->hosted().fingerprint);
    auto dana = otherUser(m_second->url(), QStringLiteral("dana-0001"), QStringLiteral("Dana"));
    bob->openTopic(general);
    dana->openTopic(general);
    QTRY_VERIFY_WITH_TIMEOUT(
        connectedAndIn(bob.get(), general) && connectedAndIn(dana.get(), general), hubTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(bob->conversation(general)->presence()->rowOfUser(userId) >= 0
                                 && dana->conversation(general)->presence()->rowOfUser(userId) >= 0,
                             hubTimeoutMs);
    QVERIFY(bob->hubPresence()->rowOfUser(userId) >= 0);
    QVERIFY(dana->hubPresence()->rowOfUser(userId) >= 0);

    send(QStringLiteral("hello team"));
    QTRY_VERIFY_WITH_TIMEOUT(hasMessage(bob.get(), general, QStringLiteral("hello team")),
                             hubTimeoutMs);
    showHubInRail(joined());
    if (QTest::currentTestFailed())
        return;
    send(QStringLiteral("hello design"));
    QTRY_VERIFY_WITH_TIMEOUT(hasMessage(dana.get(), general, QStringLiteral("hello design")),
                             hubTimeoutMs);
    QVERIFY(!hasMessage(dana.get(), general, QStringLiteral("hello team")));
    QVERIFY(!hasMessage(bob.get(), general, QStringLiteral("hello design")));
    // The window follows the hub shown: its name, its people.
    QCOMPARE(m_window->windowTitle(), QStringLiteral("Design team — Parley"));
    QVERIFY(m_workspace->isHosting()); // joining and switching never stopped the hosted hub
}

void TestMultiHub::aHubInTheBackgroundCountsUnreadAndMentions()
{
    startHostingAndJoined();
    if (QTest::currentTestFailed())
        return;
    auto dana = otherUser(m_second->url(), QStringLiteral("dana-0001"), QStringLiteral("Dana"));
    dana->openTopic(general);
    QTRY_VERIFY_WITH_TIMEOUT(connectedAndIn(dana.get(), general), hubTimeoutMs);
    const HubListModel *hubs = m_workspace->hubs();
    const QModelIndex designRow = hubs->index(hubs->rowOf(joined()));
    QSignalSpy notified(m_window->notifier(), &Ui::Notifier::notified);

    // The hosted hub is shown: what Dana writes on the other one is unread there.
    dana->conversation(general)->send(QStringLiteral("lunch at noon"));
    QTRY_COMPARE_WITH_TIMEOUT(designRow.data(HubListModel::UnreadRole).toInt(), 1, hubTimeoutMs);
    QCOMPARE(designRow.data(HubListModel::MentionsRole).toInt(), 0);
    dana->conversation(general)->send(QStringLiteral("Tester, are you coming?"));
    QTRY_COMPARE_WITH_TIMEOUT(designRow.data(HubListModel::UnreadRole).toInt(), 2, hubTimeoutMs);
    QCOMPARE(designRow.data(HubListModel::MentionsRole).toInt(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(notified.size(), 2, hubTimeoutMs);
    // With several hubs a notification says which one.
    QVERIFY2(notified.last().at(0).toString().endsWith(QStringLiteral("Design team")),
             qPrintable(notified.last().at(0).toString()));
    QCOMPARE(hubs->index(hubs->rowOf(hosted())).data(HubListModel::UnreadRole).toInt(), 0);

    // Showing it reads #general there; the hub left in the background starts counting.
    showHubInRail(joined());
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE_WITH_TIMEOUT(designRow.data(HubListModel::UnreadRole).toInt(), 0, hubTimeoutMs);
    QCOMPARE(designRow.data(HubListModel::MentionsRole).toInt(), 0);
    QVERIFY(hosted()->currentTopic().isEmpty());
}

void TestMultiHub::leavingOrStoppingOneHubLeavesTheOtherAlone()
{
    startHostingAndJoined();
    if (QTest::currentTestFailed())
        return;
    QPointer<ChatSession> own = hosted();
    QPointer<ChatSession> design = joined();

    // Leaving the joined hub: the hosted hub runs on, and is shown.
    showHubInRail(design);
    if (QTest::currentTestFailed())
        return;
    m_workspace->leave(design);
    QCOMPARE(m_workspace->hubs()->rowCount(), 1);
    QCOMPARE(m_workspace->session(), own.data());
    QVERIFY(m_workspace->isHosting());
    QTRY_VERIFY(!design); // deleted
    QVERIFY(connectedAndIn(own, general));

    // Joining again, then stopping the hosted hub: the joined hub stays connected and is shown.
    m_workspace->join(m_second->url());
    QTRY_VERIFY_WITH_TIMEOUT(connectedAndIn(joined(), general), hubTimeoutMs);
    design = joined();
    m_workspace->stopHosting();
    QVERIFY(!m_workspace->isHosting());
    QCOMPARE(m_workspace->hubs()->rowCount(), 1);
    QCOMPARE(m_workspace->session(), design.data());
    QCOMPARE(design->connectionState(), ChatSession::ConnectionState::Connected);
    QTRY_VERIFY(!own);
    QVERIFY(!m_window->hubHeader()->isHidden());

    // Leaving the last hub brings the welcome pane back.
    m_workspace->leave(design);
    QCOMPARE(m_workspace->hubs()->rowCount(), 0);
    QVERIFY(m_window->welcomePane()->isVisible());
    QVERIFY(!m_window->hubRail()->isVisible());
}

void TestMultiHub::theJoinedHubsComeBackAtTheNextStart()
{
    startHostingAndJoined();
    if (QTest::currentTestFailed())
        return;
    showHubInRail(joined()); // the hub shown comes back shown
    if (QTest::currentTestFailed())
        return;
    quitApp(); // nobody else is on the hosted hub: quitting does not ask
    startAppAgain(true);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_workspace->hubs()->rowCount(), 2);
    QVERIFY(m_workspace->isHosting());
    QVERIFY(hosted());
    QVERIFY(joined());
    QCOMPARE(m_workspace->session(), joined());
    QTRY_VERIFY_WITH_TIMEOUT(connectedAndIn(hosted(), general) && connectedAndIn(joined(), general),
                             hubTimeoutMs);
}

void TestMultiHub::firstStartListsTheHubsOnTheLanAndJoinsOne()
{
    const QString suffix = QString::number(QCoreApplication::applicationPid());
    auto first = startHub(QStringLiteral("Lab A %1").arg(suffix), Hub::DiscoveryMode::Loopback);
    auto second = startHub(QStringLiteral("Lab B %1").arg(suffix), Hub::DiscoveryMode::Loopback);
    QVERIFY(first && second);
    App::Launcher launcher(m_settings.get(), m_workspace.get(), m_window.get());
    QString error;
    QVERIFY(launcher.start({}, &error)); // nothing joined before: nothing is started
    QCOMPARE(m_workspace->hubs()->rowCount(), 0);
    QVERIFY(!m_workspace->isHosting());

    Ui::WelcomePane *welcome = m_window->welcomePane();
    QVERIFY(welcome->isVisible());
    // The Join button of the hub with this name (other hubs may be announced on loopback too).
    const auto button = [&](const QString &name) -> QPushButton * {
        for (const Client::DiscoveredHub &hub : welcome->discoveredHubs()) {
            if (hub.name != name)
                continue;
            const auto buttons
                = welcome->findChildren<QPushButton *>(QStringLiteral("joinDiscovered"));
            for (QPushButton *join : buttons) {
                if (join->property("hubId").toString() == hub.hubId)
                    return join;
            }
        }
        return nullptr;
    };
    const QString firstName = QStringLiteral("Lab A %1").arg(suffix);
    const QString secondName = QStringLiteral("Lab B %1").arg(suffix);
    QTRY_VERIFY_WITH_TIMEOUT(button(firstName) && button(secondName), hubTimeoutMs);
    QVERIFY(welcome->findChild<QPushButton *>(QStringLiteral("hostButton"))->isVisible());

    QTest::mouseClick(button(secondName), Qt::LeftButton);
    ChatSession *session = m_workspace->sessionFor(second->url());
    QVERIFY(session);
    QTRY_VERIFY_WITH_TIMEOUT(connectedAndIn(session, general)
                                 && m_window->navigator()->currentTopic() == general,
                             hubTimeoutMs);
    QVERIFY(!welcome->isVisible());
    QVERIFY(m_window->hubRail()->isVisible());
    QVERIFY(second->connectionCount() >= 1);
    QCOMPARE(first->connectionCount(), 0);
}

void TestMultiHub::theCommandLineHostsAndJoinsAtOnce()
{
    // The real program, as a user starts it: parley --host "Team hub" --join URL. It saves a
    // screenshot and quits once both hubs are connected and a room is shown.
    Testing::HubProcess design(Testing::HubProcess::Options { QStringLiteral("Design team") });
    QVERIFY(design.start());
    auto dana = otherUser(design.url(), QStringLiteral("dana-0001"), QStringLiteral("Dana"));
    QTRY_VERIFY_WITH_TIMEOUT(dana->connectionState() == ChatSession::ConnectionState::Connected,
                             hubTimeoutMs);

    QTemporaryDir home;
    const QString identity = home.filePath(QStringLiteral("identity.pem"));
    const auto &key = Testing::TestKeys::forLabel(QStringLiteral("cli-ana"));
    QString error;
    QVERIFY2(Client::IdentityFile::write(identity, key, &error), qPrintable(error));
    const QString shot = home.filePath(QStringLiteral("two-hubs.png"));
    QProcess app;
    app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    app.start(QStringLiteral(PARLEY_APP_PROGRAM),
              { QStringLiteral("--nick"), QStringLiteral("Ana"), QStringLiteral("--settings-dir"),
                home.filePath(QStringLiteral("settings")), QStringLiteral("--data-dir"),
                home.filePath(QStringLiteral("data")), QStringLiteral("--identity"), identity,
                QStringLiteral("--discovery"), QStringLiteral("off"), QStringLiteral("--host"),
                QStringLiteral("Team hub"), QStringLiteral("--port"), QStringLiteral("0"),
                QStringLiteral("--join"), design.url().toString(), QStringLiteral("--screenshot"),
                shot });
    // Ana shows on the joined hub while the app runs (it quits by itself after the screenshot,
    // which it takes only once both hubs are connected).
    bool seen = false;
    QVERIFY(QTest::qWaitFor(
        [&] {
            seen = seen || dana->hubPresence()->rowOfUser(key.userId()) >= 0;
            return app.state() == QProcess::NotRunning;
        },
        20'000));
    QVERIFY(seen);
    QCOMPARE(app.exitStatus(), QProcess::NormalExit);
    QCOMPARE(app.exitCode(), 0);
    QVERIFY(QFile::exists(shot));
}

void TestMultiHub::anInviteLinkJoinsItsHubAndOpensItsRoom()
{
    // An encrypted hub, and a link to its room #design as its host would copy it: the program
    // started with only the link joins, trusting the link's certificate without asking (a trust
    // dialog would leave the session refused), and opens the room.
    QTemporaryDir hubData;
    Testing::HubProcess::Options options { QStringLiteral("Design team") };
    options.tls = true;
    options.dataDir = hubData.path();
    Testing::HubProcess design(options);
    QVERIFY(design.start());
    QVERIFY(!design.fingerprint().isEmpty());
    auto dana = otherUser(design.url(), QStringLiteral("dana-0001"), QStringLiteral("Dana"),
                          design.fingerprint());
    QTRY_VERIFY_WITH_TIMEOUT(!dana->hubId().isEmpty(), hubTimeoutMs);
    dana->createRoom(QStringLiteral("design"), QStringLiteral("Design"), {});
    QTRY_VERIFY_WITH_TIMEOUT(dana->rooms()->rowOfTopic(QStringLiteral("room:design")) >= 0,
                             hubTimeoutMs);
    dana->openTopic(QStringLiteral("room:design"));
    QTRY_VERIFY_WITH_TIMEOUT(dana->isJoined(QStringLiteral("room:design")), hubTimeoutMs);

    Client::InviteLink link;
    link.mountUrl = design.url();
    link.hubId = dana->hubId();
    link.fingerprint = design.fingerprint();
    link.room = QStringLiteral("design");

    QTemporaryDir home;
    const QString identity = home.filePath(QStringLiteral("identity.pem"));
    const auto &key = Testing::TestKeys::forLabel(QStringLiteral("link-ana"));
    QString error;
    QVERIFY2(Client::IdentityFile::write(identity, key, &error), qPrintable(error));
    QProcess app;
    app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    app.start(QStringLiteral(PARLEY_APP_PROGRAM),
              { QStringLiteral("--nick"), QStringLiteral("Ana"), QStringLiteral("--settings-dir"),
                home.filePath(QStringLiteral("settings")), QStringLiteral("--identity"), identity,
                QStringLiteral("--discovery"), QStringLiteral("off"),
                QStringLiteral("--screenshot"), home.filePath(QStringLiteral("link.png")),
                link.toString() });
    bool inRoom = false;
    QVERIFY(QTest::qWaitFor(
        [&] {
            inRoom = inRoom
                || dana->conversation(QStringLiteral("room:design"))
                        ->presence()
                        ->rowOfUser(key.userId())
                    >= 0;
            return app.state() == QProcess::NotRunning;
        },
        20'000));
    QVERIFY2(inRoom, "Ana did not show in #design");
    QCOMPARE(app.exitCode(), 0);
    // The link's certificate is the one trusted for that address now.
    QSettings kept(home.filePath(QStringLiteral("settings/Parley/parley.ini")),
                   QSettings::IniFormat);
    QCOMPARE(kept.value(QStringLiteral("trust/pins"))
                 .toMap()
                 .value(Client::hubAddressText(design.url()))
                 .toString(),
             design.fingerprint());
}

void TestMultiHub::rememberedHubsComeBackAndSayWhetherTheyAnswer()
{
    // Two hubs joined by address, then left; one of them stops. At the next start the welcome
    // pane lists both as joined before: the running one answers (and joins with one click), the
    // stopped one does not.
    auto gone = startHub(QStringLiteral("Old project"));
    QVERIFY(gone);
    for (Testing::TestHub *hub : { m_second.get(), gone.get() }) {
        m_workspace->join(hub->url());
        QTRY_VERIFY_WITH_TIMEOUT(connectedAndIn(m_workspace->sessionFor(hub->url()), general),
                                 hubTimeoutMs);
        m_workspace->leave(m_workspace->sessionFor(hub->url()));
    }
    const QUrl goneUrl = gone->url();
    gone.reset();
    quitApp();
    startAppAgain(false);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_workspace->hubs()->rowCount(), 0); // left: not joined again by itself

    Ui::WelcomePane *welcome = m_window->welcomePane();
    QVERIFY(welcome->isVisible());
    const auto rowOf = [welcome](const QUrl &url) -> QWidget * {
        const auto rows = welcome->findChildren<QWidget *>(QStringLiteral("rememberedHub"));
        for (QWidget *row : rows) {
            if (row->property("hubUrl").toUrl() == url)
                return row;
        }
        return nullptr;
    };
    const auto statusOf = [&rowOf](const QUrl &url) {
        QWidget *row = rowOf(url);
        auto *status = row ? row->findChild<QLabel *>(QStringLiteral("rememberedStatus")) : nullptr;
        return status ? status->text() : QString();
    };
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(m_second->url()).startsWith(QStringLiteral("Answers now")),
                             hubTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(statusOf(goneUrl).startsWith(QStringLiteral("Does not answer now")),
                             hubTimeoutMs);
    QVERIFY2(statusOf(goneUrl).contains(QStringLiteral("last joined today")),
             qPrintable(statusOf(goneUrl)));

    auto *join = rowOf(m_second->url())->findChild<QPushButton *>(QStringLiteral("joinRemembered"));
    QVERIFY(join);
    join->click();
    QTRY_VERIFY_WITH_TIMEOUT(connectedAndIn(m_workspace->sessionFor(m_second->url()), general),
                             hubTimeoutMs);
}

void TestMultiHub::aHubIsRememberedOnceWithEveryAddress()
{
    const QUrl wired(QStringLiteral("wss://127.0.0.10:4000/socket"));
    const QUrl wireless(QStringLiteral("wss://127.0.0.11:4000/socket"));
    const QUrl elsewhere(QStringLiteral("wss://127.0.0.12:4000/socket"));
    const QString teamKey = QStringLiteral("fp:") + QString(64, u'a');
    m_settings->rememberHub(teamKey, QStringLiteral("hub-a"), QStringLiteral("Team"), wired, 1000);
    m_settings->rememberHub(QStringLiteral("fp:") + QString(64, u'b'), QStringLiteral("hub-b"),
                            QStringLiteral("Other"), wireless, 2000);
    m_settings->rememberHub(teamKey, QStringLiteral("hub-a"), QStringLiteral("Team hub"), wireless,
                            3000);
    // A hub that claims Team hub's id with another certificate is another hub: it is not
    // merged into Team hub's entry (which would offer its address as Team hub's).
    m_settings->rememberHub(QStringLiteral("fp:") + QString(64, u'e'), QStringLiteral("hub-a"),
                            QStringLiteral("Team hub"), elsewhere, 500);
    const QList<Ui::RecentHub> hubs = m_settings->recentHubs();
    QCOMPARE(hubs.size(), 3);
    QCOMPARE(hubs.at(1).hubId, QStringLiteral("hub-a"));
    QCOMPARE(hubs.at(1).trustKey, teamKey);
    QCOMPARE(hubs.at(1).name, QStringLiteral("Team hub"));
    QCOMPARE(hubs.at(1).urls, (QList<QUrl> { wireless, wired })); // the last used first
    QCOMPARE(hubs.at(1).lastSeenMs, 3000);
    QCOMPARE(hubs.at(2).hubId, QStringLiteral("hub-b"));
    QCOMPARE(hubs.at(0).urls, (QList<QUrl> { elsewhere }));
}

void TestMultiHub::aRestartComesBackToTheRoomWithItsUnreadAndNoPasswordPrompt()
{
    // Dana made #design and a locked #vault. Tester reads #general, then #design (leaving a
    // draft there, status Busy), opens #vault with its password last, and quits.
    const QString design = QStringLiteral("room:design");
    const QString vault = QStringLiteral("room:vault");
    auto dana = otherUser(m_second->url(), QStringLiteral("dana-0001"), QStringLiteral("Dana"));
    QTRY_VERIFY_WITH_TIMEOUT(dana->connectionState() == ChatSession::ConnectionState::Connected,
                             hubTimeoutMs);
    dana->createRoom(QStringLiteral("design"), QStringLiteral("Design"), {});
    dana->createRoom(QStringLiteral("vault"), QStringLiteral("The Vault"),
                     QStringLiteral("s3cret"));
    QTRY_VERIFY_WITH_TIMEOUT(dana->rooms()->rowOfTopic(vault) >= 0
                                 && dana->rooms()->rowOfTopic(design) >= 0,
                             hubTimeoutMs);
    for (const QString &topic : { general, design })
        dana->openTopic(topic);
    QTRY_VERIFY_WITH_TIMEOUT(dana->isJoined(general) && dana->isJoined(design), hubTimeoutMs);
    dana->conversation(general)->send(QStringLiteral("morning"));
    dana->conversation(design)->send(QStringLiteral("mockups are up"));

    m_workspace->join(m_second->url());
    ChatSession *session = m_workspace->session();
    QTRY_VERIFY_WITH_TIMEOUT(connectedAndIn(session, general), hubTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(hasMessage(session, general, QStringLiteral("morning")), hubTimeoutMs);
    m_window->navigator()->activate(design);
    QTRY_VERIFY_WITH_TIMEOUT(hasMessage(session, design, QStringLiteral("mockups are up")),
                             hubTimeoutMs);
    QTest::keyClicks(m_window->composer(), QStringLiteral("half a thought"));
    m_window->statusButton()->statusChosen(QStringLiteral("busy"));
    m_window->navigator()->activate(vault, QStringLiteral("s3cret"));
    QTRY_VERIFY_WITH_TIMEOUT(session->isJoined(vault), hubTimeoutMs);
    m_window->navigator()->activate(design); // back to where the draft is
    m_window->navigator()->activate(vault); // and the locked room last: the one shown at quit
    QCOMPARE(m_window->navigator()->currentTopic(), vault);
    quitApp();

    // While it is closed: three in #design (one names Tester), one in #general.
    dana->conversation(design)->send(QStringLiteral("first while you were away"));
    dana->conversation(design)->send(QStringLiteral("Tester, thoughts?"));
    dana->conversation(design)->send(QStringLiteral("third"));
    dana->conversation(general)->send(QStringLiteral("lunch?"));
    QTRY_COMPARE_WITH_TIMEOUT(dana->conversation(general)->outbox().size()
                                  + dana->conversation(design)->outbox().size(),
                              0, hubTimeoutMs);

    startAppAgain(false);
    if (QTest::currentTestFailed())
        return;
    session = m_workspace->session();
    QVERIFY(session);

    // Back in #design (the locked room is not reopened by itself: no password prompt), its
    // "new messages" line above the first message that came while away, the draft and Busy
    // kept, #general counted unread.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->navigator()->currentTopic() == design
                                 && hasMessage(session, design, QStringLiteral("third")),
                             hubTimeoutMs);
    QVERIFY(!session->isOpen(vault));
    QVERIFY(!m_window->findChild<QInputDialog *>());
    const Client::MessageModel *messages = session->conversation(design)->messages();
    qint64 firstAway = 0;
    for (int row = 0; row < messages->rowCount() && !firstAway; ++row) {
        if (messages->messageAt(row).body == QLatin1String("first while you were away"))
            firstAway = messages->messageAt(row).id;
    }
    auto *delegate = qobject_cast<Ui::MessageDelegate *>(m_window->messageView()->itemDelegate());
    QVERIFY(delegate);
    QTRY_COMPARE(delegate->newMarkerId(), firstAway);
    QCOMPARE(m_window->composer()->toPlainText(), QStringLiteral("half a thought"));
    QCOMPARE(m_window->statusButton()->status(), QStringLiteral("busy"));
    QCOMPARE(session->status(), QStringLiteral("busy"));
    QTRY_COMPARE_WITH_TIMEOUT(session->rooms()->entry(general).unread, 1, hubTimeoutMs);
    QCOMPARE(session->rooms()->entry(general).mentions, 0);
    QCOMPARE(session->rooms()->entry(design).unread, 0); // shown: read
}

void TestMultiHub::stoppingTheHubAsksOnlyWhenOthersAreConnected()
{
    // Whatever confirmation shows up is answered from inside its event loop: Cancel, or Stop.
    int asked = 0;
    bool stop = false;
    QTimer answer;
    answer.setInterval(20);
    connect(&answer, &QTimer::timeout, this, [&] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box || box->objectName() != QLatin1String("stopHostingConfirm"))
            return;
        ++asked;
        if (stop)
            box->findChild<QPushButton *>(QStringLiteral("stopHostingButton"))->click();
        else
            box->reject();
    });
    answer.start();
    Ui::HostOptions options;
    options.name = QStringLiteral("Team hub");
    options.port = 0;
    options.announce = false;
    QString error;

    // Alone on it: Stop stops at once.
    QVERIFY2(m_workspace->host(options, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(connectedAndIn(hosted(), general), hubTimeoutMs);
    emit m_window->hubHeader()->stopHostingRequested();
    QVERIFY(!m_workspace->isHosting());
    QCOMPARE(asked, 0);

    // Bob on it: asked; Cancel keeps it; Stop stops it, and Bob's Parley says the host did.
    QVERIFY2(m_workspace->host(options, &error), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(connectedAndIn(hosted(), general), hubTimeoutMs);
    auto bob = otherUser(hosted()->hubUrl(), QStringLiteral("bob-00001"), QStringLiteral("Bob"),
                         m_workspace->hosted().fingerprint);
    QTRY_COMPARE_WITH_TIMEOUT(hosted()->hubPresence()->userCount(), 2, hubTimeoutMs);
    emit m_window->hubHeader()->stopHostingRequested();
    QCOMPARE(asked, 1);
    QVERIFY(m_workspace->isHosting());
    Ui::ConnectionBanner bobsBanner;
    bobsBanner.setSession(bob.get());
    stop = true;
    emit m_window->hubHeader()->stopHostingRequested();
    QCOMPARE(asked, 2);
    QVERIFY(!m_workspace->isHosting());
    QTRY_COMPARE_WITH_TIMEOUT(bob->closeReason(), QStringLiteral("shutting_down"), hubTimeoutMs);
    QVERIFY2(bobsBanner.text().startsWith(QStringLiteral("The host stopped “Team hub”")),
             qPrintable(bobsBanner.text()));
}

QTEST_MAIN(TestMultiHub)
#include "tst_multihub.moc"
