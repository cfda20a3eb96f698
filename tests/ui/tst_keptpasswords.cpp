// Hub and room passwords kept in the desktop's secret store (QtKeychain), filed under the
// certificate the hub was verified with, and only for encrypted hubs: a kept password is never
// sent over plain ws:// (docs/protocol.md, "No downgrade, no borrowed trust"). Two ctest entries
// run this program: tst_keptpasswords on a real Secret Service (GNOME Keyring on a private D-Bus
// in a temporary home, tests/support/with-keyring.sh) runs the kept-password cases;
// tst_keptpasswords_nostore, with no D-Bus at all, runs withoutAStoreTheUserIsToldAndNotAsked.

#include "client/chatsession.h"
#include "client/hubaddress.h"
#include "client/roomlistmodel.h"
#include "parley/secretstore.h"
#include "ui/connectionbanner.h"
#include "windowfixture.h"

#include <QInputDialog>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTest>

using namespace Parley;
using Client::ChatSession;

namespace {
const QString hubPassword = QStringLiteral("letmein");
const QString roomPassword = QStringLiteral("s3cret");
const QString vault = QStringLiteral("room:vault");
} // namespace

class TestKeptPasswords : public QObject, Testing::WindowFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { setUpCase(); }
    void cleanup() { tearDown(); }
    void keptPasswordsBringTheLockedRoomBack();
    void plainHubIsNeverGivenAKeptPassword();
    void withoutAStoreTheUserIsToldAndNotAsked();

private:
    // An encrypted hub (its own certificate) whose certificate this app already trusts, as after
    // the trust dialog.
    void startTrustedHub(const QString &password);
    QString trustKey() const { return QStringLiteral("fp:") + m_hub->fingerprint(); }
    void openWindow();
    void restartApp();
    // Joins the hub, makes room:vault with its password and shows it.
    void enterTheVault(const QString &password);
    // What a second SecretStore (nothing cached) reads from the secret store under key.
    QString kept(const QString &key);
};

void TestKeptPasswords::openWindow()
{
    Testing::TestWindow made = Testing::openTestWindow();
    m_settings = std::move(made.settings);
    m_workspace = std::move(made.workspace);
    m_window = std::move(made.window);
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestKeptPasswords::restartApp()
{
    // As a quit and a new start: the window, the workspace and the settings object go; the
    // settings file stays, and the new start joins the hubs it had without any password.
    m_window.reset();
    m_workspace.reset();
    m_settings.reset();
    openWindow();
}

void TestKeptPasswords::enterTheVault(const QString &password)
{
    m_workspace->join(m_hub->url(), password);
    ChatSession *session = m_workspace->session();
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
    QSignalSpy created(session, &ChatSession::roomCreated);
    session->createRoom(QStringLiteral("vault"), QStringLiteral("Vault"), roomPassword);
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, hubTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(session->rooms()->rowOfTopic(vault) >= 0, hubTimeoutMs);
    QVERIFY(session->rooms()->entry(vault).locked);
    m_window->navigator()->activate(vault, roomPassword);
    QVERIFY(waitForRoom(vault));
}

void TestKeptPasswords::startTrustedHub(const QString &password)
{
    Testing::HubProcess::Options options;
    options.password = password;
    options.tls = true;
    m_hub = std::make_unique<Testing::HubProcess>(options);
    QVERIFY(m_hub->start());
    Ui::AppSettings().setPinnedFingerprint(Client::hubAddressText(m_hub->url()),
                                           m_hub->fingerprint());
}

QString TestKeptPasswords::kept(const QString &key)
{
    App::SecretStore store(Testing::testSecretService);
    QString secret;
    bool answered = false;
    store.read(key, this, [&](const QString &value) {
        secret = value;
        answered = true;
    });
    if (!QTest::qWaitFor([&] { return answered; }, hubTimeoutMs))
        return QStringLiteral("(no answer)");
    return secret;
}

void TestKeptPasswords::keptPasswordsBringTheLockedRoomBack()
{
    startTrustedHub(hubPassword);
    openWindow();
    enterTheVault(hubPassword);
    QCOMPARE(m_workspace->session()->trustKey(), trustKey());
    const QString hubKey = App::SecretStore::hubKey(trustKey());
    QTRY_COMPARE_WITH_TIMEOUT(kept(hubKey), hubPassword, hubTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(kept(App::SecretStore::roomKey(trustKey(), vault)), roomPassword,
                              hubTimeoutMs);
    // Filed by certificate, not by what a hub could claim: nothing under its address or id.
    QCOMPARE(kept(App::SecretStore::hubKey(Client::hubAddressText(m_hub->url()))), QString());
    QCOMPARE(kept(App::SecretStore::roomKey(m_workspace->session()->hubId(), vault)), QString());

    // The next start joins without a password: the kept ones let it in and show the vault, the
    // room the user was reading, with no prompt.
    restartApp();
    QSignalSpy notKept(m_workspace.get(), &Ui::HubControl::passwordsNotKept);
    QSignalSpy asked(m_window->navigator(), &Ui::RoomNavigator::passwordNeeded);
    m_workspace->join(m_hub->url());
    QVERIFY(waitForRoom(vault));
    QCOMPARE(m_workspace->session()->connectionState(), ChatSession::ConnectionState::Connected);
    QCOMPARE(asked.count(), 0);
    QVERIFY(!m_window->findChild<QInputDialog *>());
    QCOMPARE(notKept.count(), 0);

    // Leaving the room forgets its password; the hub's stays.
    m_workspace->leaveRoom(m_workspace->session(), vault);
    QTRY_COMPARE_WITH_TIMEOUT(kept(App::SecretStore::roomKey(trustKey(), vault)), QString(),
                              hubTimeoutMs);
    QCOMPARE(kept(hubKey), hubPassword);
    QVERIFY(!m_workspace->session()->isOpen(vault));
}

void TestKeptPasswords::plainHubIsNeverGivenAKeptPassword()
{
    // A hub without encryption: whoever answers at its address could claim to be it, so its
    // password is not kept, and a password kept for it (by an older version, under its address
    // or its id) is never sent to it: the user is asked.
    Testing::HubProcess::Options options;
    options.password = hubPassword;
    m_hub = std::make_unique<Testing::HubProcess>(options);
    QVERIFY(m_hub->start());
    QVERIFY(m_hub->url().scheme() == QLatin1String("ws"));
    openWindow();
    m_workspace->join(m_hub->url(), hubPassword);
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->connectionState(),
                              ChatSession::ConnectionState::Connected, hubTimeoutMs);
    const QString plainKey = QStringLiteral("hub:") + m_hub->hubId();
    QCOMPARE(m_workspace->session()->trustKey(), plainKey);
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
    QCOMPARE(kept(App::SecretStore::hubKey(plainKey)), QString());

    App::SecretStore store(Testing::testSecretService);
    store.write(App::SecretStore::hubKey(plainKey), hubPassword);
    store.write(App::SecretStore::hubKey(Client::hubAddressText(m_hub->url())), hubPassword);
    QTRY_COMPARE_WITH_TIMEOUT(kept(App::SecretStore::hubKey(plainKey)), hubPassword, hubTimeoutMs);
    restartApp();
    QSignalSpy rejoined(m_workspace.get(), &Ui::HubControl::sessionAdded);
    m_workspace->join(m_hub->url());
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->connectionState(),
                              ChatSession::ConnectionState::Refused, hubTimeoutMs);
    QCOMPARE(m_workspace->session()->refusalReason(), QStringLiteral("unauthorized"));
    // Refused for want of the password, and it stays so: nothing kept was tried (a read of the
    // store answered after any the app made, and no session was made again with it).
    QCOMPARE(kept(App::SecretStore::hubKey(plainKey)), hubPassword);
    QCOMPARE(rejoined.count(), 1); // the join itself
    QCOMPARE(m_workspace->session()->connectionState(), ChatSession::ConnectionState::Refused);
    QVERIFY(m_window->banner()->text().contains(QStringLiteral("wrong or missing hub password")));
}

void TestKeptPasswords::withoutAStoreTheUserIsToldAndNotAsked()
{
    startTrustedHub({});
    openWindow();
    QSignalSpy notKept(m_workspace.get(), &Ui::HubControl::passwordsNotKept);
    enterTheVault({});
    // Said once, in words, where the user looks.
    QTRY_COMPARE_WITH_TIMEOUT(notKept.count(), 1, hubTimeoutMs);
    const QString explanation = notKept.at(0).at(0).toString();
    QVERIFY2(explanation.startsWith(QStringLiteral("Passwords are not remembered: no secret "
                                                   "store (such as GNOME Keyring or KWallet)")),
             qPrintable(explanation));
    QCOMPARE(m_window->statusBar()->currentMessage(), explanation);

    // The next start shows the room it can open, and never asks for the vault's password.
    restartApp();
    QSignalSpy asked(m_window->navigator(), &Ui::RoomNavigator::passwordNeeded);
    m_workspace->join(m_hub->url());
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
    QVERIFY(!m_workspace->session()->isOpen(vault));
    QCOMPARE(asked.count(), 0);
    QVERIFY(!m_window->findChild<QInputDialog *>());
    // The user opening it is asked, as before.
    m_window->navigator()->activate(vault);
    QTRY_COMPARE_WITH_TIMEOUT(asked.count(), 1, hubTimeoutMs);
}

QTEST_MAIN(TestKeptPasswords)
#include "tst_keptpasswords.moc"
