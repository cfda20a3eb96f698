// What no other hub and no LAN neighbour can borrow (docs/protocol.md, "No downgrade, no
// borrowed trust"), in the window, against parley-hub processes on 127.0.0.1:
// - a beacon that names a verified hub from another address and with another certificate is
//   listed beside the real one as unverified, and joining it asks for its safety code;
// - a hub that claims a verified hub's id with another certificate gets none of what is kept
//   for that hub, and the user is told why;
// - plain ws:// to an address, or a hub id, reached over TLS is not made without the user's
//   choice in a warning;
// - an invite link without a certificate is joined over TLS, asking, never over plain ws://.

#include "client/chatsession.h"
#include "client/hubaddress.h"
#include "client/invitelink.h"
#include "client/roomlistmodel.h"
#include "hubprocess.h"
#include "parley/workspace.h"
#include "protocol/fingerprint.h"
#include "testwindow.h"
#include "ui/appsettings.h"
#include "ui/connectionbanner.h"
#include "ui/joindialog.h"
#include "ui/mainwindow.h"
#include "ui/roomnavigator.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <QUdpSocket>

using namespace Parley;
using Client::ChatSession;

namespace {

constexpr int hubTimeoutMs = 10'000;

Testing::HubProcess::Options tlsHub(const QString &dataDir,
                                    const QString &name = QStringLiteral("Team hub"))
{
    Testing::HubProcess::Options options;
    options.tls = true;
    options.dataDir = dataDir;
    options.name = name;
    return options;
}

// A hub's data (its id, rooms, messages) in another folder, without its certificate: that hub
// set up again with a new certificate, or someone who copied its id.
bool copyHubData(const QString &from, const QString &to)
{
    const QStringList files = QDir(from).entryList({ QStringLiteral("hub.sqlite3*") }, QDir::Files);
    for (const QString &file : files) {
        if (!QFile::copy(QDir(from).filePath(file), QDir(to).filePath(file)))
            return false;
    }
    return files.contains(QStringLiteral("hub.sqlite3"));
}

} // namespace

class TestTrustBoundaries : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void forgedBeaconIsUnverifiedBesideTheRealHubAndAsks();
    void hubClaimingAVerifiedIdGetsNothingOfIt();
    void plainWebSocketWhereTlsWasNeedsTheUsersChoice();
    void linkWithoutFingerprintAsksOverTls();
    void plainHubClaimingAKnownPlainIdElsewhereAsks();

private:
    // Joins `hub` trusting its certificate (as after the trust dialog) and waits until in.
    void joinTrusted(const Testing::HubProcess &hub);
    QMessageBox *shownBox(const QString &name) const;
    // Clicks the banner's action (which must say `action`), then the warning's choice, and waits
    // until connected.
    void chooseInTheBanner(const QString &action);

    QTemporaryDir m_settingsDir;
    std::unique_ptr<Ui::AppSettings> m_settings;
    std::unique_ptr<App::Workspace> m_workspace;
    std::unique_ptr<Ui::MainWindow> m_window;
};

void TestTrustBoundaries::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    Testing::keepSettingsIn(m_settingsDir.path());
}

void TestTrustBoundaries::init()
{
    Testing::TestWindow made = Testing::openTestWindow();
    m_settings = std::move(made.settings);
    m_workspace = std::move(made.workspace);
    m_window = std::move(made.window);
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestTrustBoundaries::cleanup()
{
    m_window.reset();
    m_workspace.reset();
    m_settings.reset();
    Testing::clearSettings();
}

void TestTrustBoundaries::joinTrusted(const Testing::HubProcess &hub)
{
    m_settings->setPinnedFingerprint(Client::hubAddressText(hub.url()), hub.fingerprint());
    m_workspace->join(hub.url());
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->connectionState(),
                              ChatSession::ConnectionState::Connected, hubTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!m_workspace->session()->hubId().isEmpty(), hubTimeoutMs);
}

QMessageBox *TestTrustBoundaries::shownBox(const QString &name) const
{
    const auto boxes = m_window->findChildren<QMessageBox *>(name);
    for (QMessageBox *box : boxes) {
        if (box->isVisible())
            return box;
    }
    return nullptr;
}

void TestTrustBoundaries::chooseInTheBanner(const QString &actionText)
{
    auto *action = m_window->banner()->findChild<QPushButton *>(QStringLiteral("bannerAction"));
    QVERIFY(action && action->isVisible());
    QCOMPARE(action->text(), actionText);
    action->click();
    QMessageBox *confirm = nullptr;
    QTRY_VERIFY((confirm = shownBox(QStringLiteral("confirmUnencrypted"))));
    confirm->findChild<QPushButton *>(QStringLiteral("connectUnencrypted"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->connectionState(),
                              ChatSession::ConnectionState::Connected, hubTimeoutMs);
}

void TestTrustBoundaries::forgedBeaconIsUnverifiedBesideTheRealHubAndAsks()
{
    QTemporaryDir teamDir;
    Testing::HubProcess::Options options = tlsHub(
        teamDir.path(), QStringLiteral("Team hub %1").arg(QCoreApplication::applicationPid()));
    options.announce = true;
    Testing::HubProcess team(options);
    QVERIFY(team.start());
    joinTrusted(team); // verified: its id with its certificate
    m_workspace->leave();

    // A neighbour runs a hub of their own and announces it under Team hub's id and name.
    QTemporaryDir otherDir;
    Testing::HubProcess mallory(tlsHub(otherDir.path(), QStringLiteral("Mallory's")));
    QVERIFY(mallory.start());
    const QByteArray forged = QJsonDocument(QJsonObject { { "parley", 1 },
                                                          { "hub_id", team.hubId() },
                                                          { "name", options.name },
                                                          { "port", int(mallory.port()) },
                                                          { "rooms", 1 },
                                                          { "users", 0 },
                                                          { "locked", false },
                                                          { "tls", true },
                                                          { "fp", mallory.fingerprint() } })
                                  .toJson(QJsonDocument::Compact);
    QUdpSocket beacon;
    QTimer repeat;
    connect(&repeat, &QTimer::timeout, &beacon, [&] {
        beacon.writeDatagram(forged, QHostAddress::LocalHost, Client::HubBrowser::DefaultPort);
    });
    repeat.start(300);

    Ui::JoinDialog dialog(m_settings.get(), Client::DiscoveryMode::Loopback);
    dialog.show();
    QTreeWidget *list = dialog.discoveredList();
    const auto rowAt = [&list](quint16 port) -> QTreeWidgetItem * {
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            if (list->topLevelItem(i)->text(1) == QStringLiteral("127.0.0.1:%1").arg(port))
                return list->topLevelItem(i);
        }
        return nullptr;
    };
    // Both are listed: the forged one beside the real one, not over it, and said to be unverified.
    QTRY_VERIFY_WITH_TIMEOUT(rowAt(team.port()) && rowAt(mallory.port()), hubTimeoutMs);
    QCOMPARE(rowAt(team.port())->text(0), options.name);
    QCOMPARE(rowAt(mallory.port())->text(0), QStringLiteral("%1 (unverified)").arg(options.name));
    QVERIFY(rowAt(mallory.port())
                ->toolTip(0)
                .contains(QStringLiteral("another address or another safety code")));

    list->setCurrentItem(rowAt(mallory.port()));
    dialog.accept();
    QVERIFY(dialog.discovered());
    QCOMPARE(dialog.discovered()->port, mallory.port());
    QCOMPARE(m_workspace->judge(*dialog.discovered()), Client::BeaconTrust::Unverified);
    // Joining it trusts nothing it announced: the user is asked for its safety code first.
    m_workspace->joinDiscovered(*dialog.discovered());
    QMessageBox *ask = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((ask = shownBox(QStringLiteral("trustDialog"))), hubTimeoutMs);
    QVERIFY(ask->text().contains(Protocol::Fingerprint::safetyCode(mallory.fingerprint())));
    QCOMPARE(m_settings->pinnedFingerprint(Client::hubAddressText(mallory.url())), QString());
    QCOMPARE(m_workspace->session()->connectionState(), ChatSession::ConnectionState::Refused);
    ask->reject();
    m_workspace->leave();

    // The real one is still Team hub, and joined without a question.
    Ui::JoinDialog again(m_settings.get(), Client::DiscoveryMode::Loopback);
    again.show();
    list = again.discoveredList();
    QTRY_VERIFY_WITH_TIMEOUT(rowAt(team.port()), hubTimeoutMs);
    list->setCurrentItem(rowAt(team.port()));
    again.accept();
    QVERIFY(again.discovered());
    QCOMPARE(again.discovered()->port, team.port());
    QCOMPARE(m_workspace->judge(*again.discovered()), Client::BeaconTrust::Known);
    m_workspace->joinDiscovered(*again.discovered());
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->connectionState(),
                              ChatSession::ConnectionState::Connected, hubTimeoutMs);
    QVERIFY(!shownBox(QStringLiteral("trustDialog")));
}

void TestTrustBoundaries::hubClaimingAVerifiedIdGetsNothingOfIt()
{
    QTemporaryDir teamDir;
    auto team = std::make_unique<Testing::HubProcess>(tlsHub(teamDir.path()));
    QVERIFY(team->start());
    joinTrusted(*team);
    const QString teamId = m_workspace->session()->hubId();
    const QString teamFingerprint = team->fingerprint();
    // The user made and reads a room there: it is kept to reopen, filed under Team's certificate.
    ChatSession *session = m_workspace->session();
    QSignalSpy created(session, &ChatSession::roomCreated);
    session->createRoom(QStringLiteral("plans"), QStringLiteral("Plans"), {});
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, hubTimeoutMs);
    m_window->navigator()->activate(QStringLiteral("room:plans"));
    QTRY_VERIFY_WITH_TIMEOUT(session->isJoined(QStringLiteral("room:plans")), hubTimeoutMs);
    QTRY_VERIFY(m_settings->openTopics(QStringLiteral("fp:") + teamFingerprint)
                    .contains(QStringLiteral("room:plans")));
    m_workspace->leave();
    team.reset();

    // Another hub with Team's id (its data copied), but its own certificate, elsewhere.
    QTemporaryDir copyDir;
    QVERIFY(copyHubData(teamDir.path(), copyDir.path()));
    Testing::HubProcess copy(tlsHub(copyDir.path()));
    QVERIFY(copy.start());
    QVERIFY(copy.fingerprint() != teamFingerprint);
    QCOMPARE(copy.hubId(), teamId);
    m_workspace->join(copy.url());
    QMessageBox *ask = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((ask = shownBox(QStringLiteral("trustDialog"))), hubTimeoutMs);
    ask->findChild<QPushButton *>(QStringLiteral("trustButton"))->click();
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->hubId(), teamId, hubTimeoutMs);
    // It says it is Team hub: the user is told it is not the one verified...
    QMessageBox *told = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((told = shownBox(QStringLiteral("hubClaimsAnother"))), hubTimeoutMs);
    QVERIFY2(told->text().contains(QStringLiteral("Team hub")), qPrintable(told->text()));
    // ... and gets none of Team's: not the room to reopen, not the verification.
    QVERIFY(m_window->navigator()->currentTopic() == Ui::RoomNavigator::defaultTopic()
            || m_window->navigator()->currentTopic().isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(m_workspace->session()->isJoined(Ui::RoomNavigator::defaultTopic()),
                             hubTimeoutMs);
    QVERIFY(!m_workspace->session()->isOpen(QStringLiteral("room:plans")));
    QCOMPARE(m_workspace->session()->trustKey(), QStringLiteral("fp:") + copy.fingerprint());
    QCOMPARE(m_settings->trustRecords().verifiedHubs.value(teamId), teamFingerprint);
}

void TestTrustBoundaries::plainWebSocketWhereTlsWasNeedsTheUsersChoice()
{
    QTemporaryDir teamDir;
    auto team = std::make_unique<Testing::HubProcess>(tlsHub(teamDir.path()));
    QVERIFY(team->start());
    joinTrusted(*team);
    const quint16 port = team->port();
    const QString address = Client::hubAddressText(team->url());
    m_workspace->leave();
    team.reset();

    // The same hub id, now plain ws://, at another address: GET /hub names a hub verified over
    // TLS, so nothing more is sent to it.
    QTemporaryDir copyDir;
    QVERIFY(copyHubData(teamDir.path(), copyDir.path()));
    Testing::HubProcess::Options plainOptions = tlsHub(copyDir.path());
    plainOptions.tls = false;
    auto claimed = std::make_unique<Testing::HubProcess>(plainOptions);
    QVERIFY(claimed->start());
    m_workspace->join(claimed->url());
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->connectionState(),
                              ChatSession::ConnectionState::Refused, hubTimeoutMs);
    QCOMPARE(m_workspace->session()->refusalReason(), QStringLiteral("not_encrypted"));
    m_workspace->leave();
    claimed.reset();

    // The hub at the trusted address comes back without TLS. Asked for ws:// there, the app
    // goes over TLS (as before), finds it not encrypted, and says so instead of falling back.
    plainOptions.dataDir = teamDir.path();
    plainOptions.port = port;
    Testing::HubProcess plain(plainOptions);
    QVERIFY(plain.start());
    QUrl typed = plain.url();
    QCOMPARE(typed.scheme(), QStringLiteral("ws"));
    m_workspace->join(typed);
    QCOMPARE(m_workspace->session()->hubUrl().scheme(), QStringLiteral("wss"));
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->refusalReason(),
                              QStringLiteral("not_encrypted"), hubTimeoutMs);
    QCOMPARE(m_workspace->session()->connectionState(), ChatSession::ConnectionState::Refused);
    Ui::ConnectionBanner *banner = m_window->banner();
    QVERIFY2(banner->text().contains(QStringLiteral("without encryption")),
             qPrintable(banner->text()));
    // The user chooses it, after one more warning: then plain, and remembered as chosen.
    chooseInTheBanner(QStringLiteral("Connect without encryption…"));
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_workspace->session()->hubUrl().scheme(), QStringLiteral("ws"));
    QVERIFY(m_settings->trustRecords().plainAllowed.contains(address));
    QCOMPARE(m_settings->pinnedFingerprint(address), QString());
}

void TestTrustBoundaries::linkWithoutFingerprintAsksOverTls()
{
    QTemporaryDir teamDir;
    Testing::HubProcess team(tlsHub(teamDir.path()));
    QVERIFY(team.start());
    // Someone sends the link with its fp cut off: it is not a plain hub for that.
    const std::optional<Client::InviteLink> link
        = Client::InviteLink::parse(QStringLiteral("parley://127.0.0.1:%1/?hub=%2&room=general")
                                        .arg(team.port())
                                        .arg(team.hubId()),
                                    nullptr);
    QVERIFY(link);
    m_workspace->openInvite(*link);
    QCOMPARE(m_workspace->session()->hubUrl().scheme(), QStringLiteral("wss"));
    QMessageBox *ask = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((ask = shownBox(QStringLiteral("trustDialog"))), hubTimeoutMs);
    QVERIFY(ask->text().contains(Protocol::Fingerprint::safetyCode(team.fingerprint())));
    QCOMPARE(m_workspace->session()->connectionState(), ChatSession::ConnectionState::Refused);
}

void TestTrustBoundaries::plainHubClaimingAKnownPlainIdElsewhereAsks()
{
    // A hub without encryption has nothing but its address to tell it from another that says it
    // is it: joined once at its address, its id elsewhere is asked about first.
    QTemporaryDir labDir;
    Testing::HubProcess::Options plainOptions = tlsHub(labDir.path(), QStringLiteral("Lab"));
    plainOptions.tls = false;
    auto lab = std::make_unique<Testing::HubProcess>(plainOptions);
    QVERIFY(lab->start());
    m_workspace->join(lab->url());
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->hubId(), lab->hubId(), hubTimeoutMs);
    const QString labAddress = Client::hubAddressText(lab->url());
    QTRY_VERIFY(m_settings->trustRecords().plainHubs.value(lab->hubId()).contains(labAddress));
    m_workspace->leave();
    lab.reset();

    QTemporaryDir copyDir;
    QVERIFY(copyHubData(labDir.path(), copyDir.path()));
    plainOptions.dataDir = copyDir.path();
    Testing::HubProcess elsewhere(plainOptions);
    QVERIFY(elsewhere.start());
    QCOMPARE(elsewhere.hubId(), m_settings->trustRecords().plainHubs.firstKey());
    m_workspace->join(elsewhere.url());
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->refusalReason(),
                              QStringLiteral("unverified_hub"), hubTimeoutMs);
    QCOMPARE(m_workspace->session()->connectionState(), ChatSession::ConnectionState::Refused);
    chooseInTheBanner(QStringLiteral("Join anyway…"));
    if (QTest::currentTestFailed())
        return;
    QTRY_VERIFY(m_settings->trustRecords()
                    .plainHubs.value(elsewhere.hubId())
                    .contains(Client::hubAddressText(elsewhere.url())));
}

QTEST_MAIN(TestTrustBoundaries)
#include "tst_trustboundaries.moc"
