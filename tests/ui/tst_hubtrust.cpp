// Trust on first use in the window (docs/protocol.md 1.2): a wss:// hub joined by address is
// joined only after the user trusted the safety code it showed; a hub that later shows another
// certificate gets a warning naming both codes and nothing else; Trusted hubs lists and forgets.

#include "client/chatsession.h"
#include "client/hubaddress.h"
#include "hubprocess.h"
#include "parley/workspace.h"
#include "protocol/fingerprint.h"
#include "testwindow.h"
#include "ui/appsettings.h"
#include "ui/connectionbanner.h"
#include "ui/hubheader.h"
#include "ui/joindialog.h"
#include "ui/mainwindow.h"
#include "ui/trustedhubsdialog.h"

#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace Parley;
using Client::ChatSession;

namespace {
constexpr int hubTimeoutMs = 10'000;
}

class TestHubTrust : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void wssHubIsTrustedOnceAndASwappedCertificateIsRefused();
    void trustedHubsListsAndForgets();
    void discoveredHubIsJoinedWithTheAnnouncedCertificate();

private:
    QTemporaryDir m_settingsDir;
    std::unique_ptr<Ui::AppSettings> m_settings;
    std::unique_ptr<App::Workspace> m_workspace;
    std::unique_ptr<Ui::MainWindow> m_window;
};

void TestHubTrust::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    Testing::keepSettingsIn(m_settingsDir.path());
}

void TestHubTrust::init()
{
    Testing::TestWindow made = Testing::openTestWindow();
    m_settings = std::move(made.settings);
    m_workspace = std::move(made.workspace);
    m_window = std::move(made.window);
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestHubTrust::cleanup()
{
    const QStringList pinned = m_settings->pins().keys();
    for (const QString &hub : pinned)
        m_settings->forgetPin(hub); // every test starts trusting nothing
    m_window.reset();
    m_workspace.reset();
    m_settings.reset();
    Testing::clearSettings();
}

void TestHubTrust::wssHubIsTrustedOnceAndASwappedCertificateIsRefused()
{
    using Protocol::Fingerprint::safetyCode;
    QTemporaryDir hubDir;
    Testing::HubProcess::Options options;
    options.tls = true; // wss:// with the hub's own certificate, kept in its data directory
    options.dataDir = hubDir.path();
    auto hub = std::make_unique<Testing::HubProcess>(options);
    QVERIFY(hub->start());
    const QString fingerprint = hub->fingerprint();
    QCOMPARE(hub->url().scheme(), QStringLiteral("wss"));

    // First join of a typed address: nothing is sent until the user confirms the safety code.
    m_workspace->join(hub->url());
    QMessageBox *ask = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((ask = m_window->findChild<QMessageBox *>(QStringLiteral("trustDialog"))), hubTimeoutMs);
    QVERIFY2(ask->text().contains(safetyCode(fingerprint)), qPrintable(ask->text()));
    QCOMPARE(m_workspace->session()->connectionState(), ChatSession::ConnectionState::Refused);
    auto *trust = ask->findChild<QPushButton *>(QStringLiteral("trustButton"));
    QVERIFY(trust);
    trust->click();
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->connectionState(),
                              ChatSession::ConnectionState::Connected, hubTimeoutMs);
    QCOMPARE(m_settings->pinnedFingerprint(Client::hubAddressText(hub->url())), fingerprint);
    QTRY_COMPARE(m_window->hubHeader()->safetyText(), QStringLiteral("Safety code ") + safetyCode(fingerprint));

    // The hub comes back on the same address with another certificate: a warning naming both
    // codes, and no connection unless the user chooses to trust the new one.
    const quint16 port = hub->port();
    hub.reset();
    QTemporaryDir otherDir;
    options.port = port;
    options.dataDir = otherDir.path();
    auto impostor = std::make_unique<Testing::HubProcess>(options);
    QVERIFY(impostor->start());
    QVERIFY(impostor->fingerprint() != fingerprint);
    m_workspace->session()->reconnectNow();
    // The first dialog is gone (deleted on close): find the one that names the new code.
    const QString newCode = safetyCode(impostor->fingerprint());
    const auto warningShown = [this, &newCode]() -> QMessageBox * {
        const auto boxes = m_window->findChildren<QMessageBox *>(QStringLiteral("trustDialog"));
        for (QMessageBox *box : boxes) {
            if (box->isVisible() && box->text().contains(newCode))
                return box;
        }
        return nullptr;
    };
    QMessageBox *warning = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((warning = warningShown()), hubTimeoutMs * 2);
    QVERIFY2(warning->text().contains(safetyCode(fingerprint)), qPrintable(warning->text()));
    QVERIFY2(warning->text().contains(safetyCode(impostor->fingerprint())), qPrintable(warning->text()));
    QCOMPARE(warning->icon(), QMessageBox::Warning);
    warning->reject(); // "Don't connect"
    QCOMPARE(m_workspace->session()->connectionState(), ChatSession::ConnectionState::Refused);
    QVERIFY(m_window->banner()->isShown());
    QCOMPARE(m_settings->pinnedFingerprint(Client::hubAddressText(impostor->url())), fingerprint);
    QCOMPARE(m_workspace->session()->reconnectInMs(), -1); // nothing retried behind the user's back
}

void TestHubTrust::trustedHubsListsAndForgets()
{
    const QString first = QString(64, u'a');
    const QString second = QString(64, u'b');
    m_settings->setPinnedFingerprint(QStringLiteral("10.0.0.5:4000"), first);
    m_settings->setPinnedFingerprint(QStringLiteral("10.0.0.6:4001"), second);
    Ui::TrustedHubsDialog dialog(m_settings.get(), m_window.get());
    QCOMPARE(dialog.list()->count(), 2);
    QVERIFY(dialog.list()->item(0)->text().contains(QStringLiteral("10.0.0.5:4000")));
    QVERIFY(dialog.list()->item(0)->text().contains(Protocol::Fingerprint::safetyCode(first)));
    QVERIFY(dialog.list()->item(0)->toolTip().contains(first)); // the whole fingerprint
    QVERIFY(!dialog.forgetButton()->isEnabled());
    dialog.list()->setCurrentRow(0);
    QVERIFY(dialog.forgetButton()->isEnabled());
    dialog.forgetButton()->click();
    QCOMPARE(m_settings->pinnedFingerprint(QStringLiteral("10.0.0.5:4000")), QString());
    QCOMPARE(m_settings->pinnedFingerprint(QStringLiteral("10.0.0.6:4001")), second);
    QCOMPARE(dialog.list()->count(), 1);
    QVERIFY(dialog.list()->item(0)->text().contains(QStringLiteral("10.0.0.6:4001")));
}

void TestHubTrust::discoveredHubIsJoinedWithTheAnnouncedCertificate()
{
    // A second person on the LAN: the hub is found by its beacon (loopback here), which says
    // which certificate is its own; joining it asks nothing and trusts exactly that one.
    QTemporaryDir hubDir;
    Testing::HubProcess::Options options;
    options.tls = true;
    options.dataDir = hubDir.path();
    options.name = QStringLiteral("Announced hub %1").arg(QCoreApplication::applicationPid());
    options.announce = true;
    Testing::HubProcess hub(options);
    QVERIFY(hub.start());

    Ui::JoinDialog dialog(m_settings.get(), Client::DiscoveryMode::Loopback);
    dialog.show();
    QTreeWidget *list = dialog.discoveredList();
    const auto findHub = [&]() -> QTreeWidgetItem * {
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            if (list->topLevelItem(i)->text(0) == options.name)
                return list->topLevelItem(i);
        }
        return nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(findHub(), hubTimeoutMs);
    list->setCurrentItem(findHub());
    dialog.accept();
    QCOMPARE(dialog.url(), hub.url()); // wss://, from the beacon's "tls"
    QVERIFY(dialog.discovered());
    QCOMPARE(dialog.discovered()->fingerprint, hub.fingerprint());

    m_workspace->joinDiscovered(*dialog.discovered(), dialog.password());
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->connectionState(),
                              ChatSession::ConnectionState::Connected, hubTimeoutMs);
    QVERIFY(!m_window->findChild<QMessageBox *>(QStringLiteral("trustDialog")));
    QCOMPARE(m_settings->pinnedFingerprint(Client::hubAddressText(hub.url())), hub.fingerprint());
    QTRY_COMPARE(m_window->hubHeader()->safetyText(),
                 QStringLiteral("Safety code ") + Protocol::Fingerprint::safetyCode(hub.fingerprint()));

    // A beacon never overrides what the user trusts: with another pin, the hub is refused.
    m_workspace->leave();
    m_settings->setPinnedFingerprint(Client::hubAddressText(hub.url()), QString(64, u'c'));
    m_workspace->joinDiscovered(*dialog.discovered());
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->connectionState(),
                              ChatSession::ConnectionState::Refused, hubTimeoutMs);
    QTRY_VERIFY(m_window->findChild<QMessageBox *>(QStringLiteral("trustDialog")));
}

QTEST_MAIN(TestHubTrust)
#include "tst_hubtrust.moc"
