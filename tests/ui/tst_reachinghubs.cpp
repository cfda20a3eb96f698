// How the window gets to a hub, against real hubs (parley-hub processes on 127.0.0.1): the join
// dialog finding one over loopback discovery and explaining, in words, why it finds none (a port
// in use, its own hub's announcement heard or not, the adapters it skips); invite links from
// the host's header (and their QR code) and a bad link explained; a wrong address said as such,
// with Back to the join dialog.

#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/hubaddress.h"
#include "client/hubbrowser.h"
#include "client/hublistmodel.h"
#include "client/identityfile.h"
#include "client/invitelink.h"
#include "client/messagemodel.h"
#include "client/presencemodel.h"
#include "client/roomlistmodel.h"
#include "hubprocess.h"
#include "parley/workspace.h"
#include "testkeys.h"
#include "testwindow.h"
#include "ui/appsettings.h"
#include "ui/appstyle.h"
#include "ui/composer.h"
#include "ui/connectionbanner.h"
#include "ui/createroomdialog.h"
#include "ui/discoverydiagnosis.h"
#include "ui/hubheader.h"
#include "ui/identityactions.h"
#include "ui/idlewatcher.h"
#include "ui/joindialog.h"
#include "ui/linkfinder.h"
#include "ui/mainwindow.h"
#include "ui/messagedelegate.h"
#include "ui/messageview.h"
#include "ui/nicknamedialog.h"
#include "ui/notifier.h"
#include "ui/onlineuserspanel.h"
#include "ui/qrcodedialog.h"
#include "ui/roomlistview.h"
#include "ui/roomnavigator.h"
#include "ui/statusbutton.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyleFactory>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <QUdpSocket>

#include <memory>

#include "windowfixture.h"

using namespace Parley;
using Client::ChatSession;
using Client::PresenceModel;
using Testing::otherUser;

class TestReachingHubs : public QObject, protected Testing::WindowFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { setUpCase(); }
    void init() { setUp(); }
    void cleanup() { tearDown(); }

    void joinDialogListsHubDiscoveredOverLoopback();
    void discoveryExplainsAPortInUse();
    void discoveryTellsWhetherItHearsItsOwnHub();
    void discoveryNamesTheAdaptersItSkips();
    void aBadInviteLinkIsExplained();
    void hostHeaderGivesInviteLinksAndAQrCode();
    void anUnreachableAddressSaysSoWithBack();
};

void TestReachingHubs::joinDialogListsHubDiscoveredOverLoopback()
{
    const QString name = QStringLiteral("Loopback hub %1").arg(QCoreApplication::applicationPid());
    auto announced = startHub(0, true, name);
    QVERIFY(announced);
    Ui::JoinDialog dialog(m_settings.get(), Client::DiscoveryMode::Loopback);
    dialog.show();
    QTreeWidget *list = dialog.discoveredList();
    const auto findHub = [&]() -> QTreeWidgetItem * {
        for (int i = 0; i < list->topLevelItemCount(); ++i) {
            if (list->topLevelItem(i)->text(0) == name)
                return list->topLevelItem(i);
        }
        return nullptr;
    };
    QTRY_VERIFY_WITH_TIMEOUT(findHub(), hubTimeoutMs);
    const QString address = QStringLiteral("127.0.0.1:%1").arg(announced->port());
    QCOMPARE(findHub()->text(1), address);
    // Choosing it fills the address, and joining yields the hub's mount URL.
    list->setCurrentItem(findHub());
    QCOMPARE(dialog.addressEdit()->text(), address);
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(dialog.url(), announced->url());
}

void TestReachingHubs::discoveryExplainsAPortInUse()
{
    // Another program holds the discovery port without sharing it (a port of the test's own,
    // not the protocol's, so that other tests keep theirs).
    QUdpSocket other;
    QVERIFY(other.bind(QHostAddress::AnyIPv4, 0, QUdpSocket::DontShareAddress));
    Ui::JoinDialog dialog(m_settings.get(), Client::DiscoveryMode::Loopback);
    dialog.setDiagnosisDelayMs(0);
    dialog.setDiscoveryPort(other.localPort());
    dialog.show();
    QVERIFY(!dialog.browser()->isListening());
    QTRY_VERIFY(dialog.isDiagnosisShown()); // opens by itself: nothing can be found
    const QString text = dialog.diagnosisText();
    QVERIFY2(text.contains(QStringLiteral("could not listen for hub announcements on UDP port %1")
                               .arg(other.localPort())),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Another program may be using the port")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("this computer only")), qPrintable(text)); // loopback
}

void TestReachingHubs::discoveryTellsWhetherItHearsItsOwnHub()
{
    // The app's own hub, announced: the dialog hears it. The same with the announcement
    // suppressed: it says broadcasts do not get through, and what to do instead.
    for (const bool announced : { true, false }) {
        Testing::HubProcess::Options options;
        options.name = QStringLiteral("Own hub %1 %2")
                           .arg(QCoreApplication::applicationPid())
                           .arg(announced);
        options.announce = announced;
        Testing::HubProcess own(options);
        QVERIFY(own.start());
        auto self = otherUser(own.url(), QStringLiteral("own-00001"), QStringLiteral("Own"));
        QTRY_VERIFY_WITH_TIMEOUT(!self->hubId().isEmpty(), hubTimeoutMs);

        Ui::JoinDialog dialog(m_settings.get(), Client::DiscoveryMode::Loopback);
        dialog.setDiagnosisDelayMs(0);
        dialog.setOwnHub(self->hubId(), { QStringLiteral("192.0.2.9:%1").arg(own.port()) });
        dialog.show();
        const QString expected = announced
            ? QStringLiteral("hears the announcement of the hub this computer hosts")
            : QStringLiteral("does not hear the announcement of the hub this computer hosts");
        QTRY_VERIFY2_WITH_TIMEOUT(dialog.diagnosisText().contains(expected),
                                  qPrintable(dialog.diagnosisText()), hubTimeoutMs);
        QVERIFY(dialog.diagnosisText().contains(QStringLiteral("192.0.2.9:%1").arg(own.port())));
        if (!announced)
            QVERIFY(dialog.diagnosisText().contains(QStringLiteral("invite link")));
    }
}

void TestReachingHubs::discoveryNamesTheAdaptersItSkips()
{
    Ui::DiscoveryFacts facts;
    facts.mode = Client::DiscoveryMode::Lan;
    facts.listening = true;
    facts.searchedSeconds = 6;
    facts.interfaces = { { QStringLiteral("eth0"), QNetworkInterface::Ethernet,
                           QHostAddress(QStringLiteral("192.168.1.20")) },
                         { QStringLiteral("docker0"), QNetworkInterface::Ethernet,
                           QHostAddress(QStringLiteral("172.17.0.1")) } };
    QString said = Ui::discoveryDiagnosis(facts).join(QLatin1Char('\n'));
    QVERIFY2(said.contains(QStringLiteral("looks on: eth0 (192.168.1.20).")), qPrintable(said));
    QVERIFY2(
        said.contains(QStringLiteral(
            "skips VPN and virtual adapters, where other people rarely are: docker0 (172.17.0.1)")),
        qPrintable(said));
    QVERIFY2(said.contains(QStringLiteral("No hub answered in 6 seconds")), qPrintable(said));
    facts.includeVirtual = true;
    said = Ui::discoveryDiagnosis(facts).join(QLatin1Char('\n'));
    QVERIFY2(said.contains(QStringLiteral("looks on: eth0 (192.168.1.20), docker0 (172.17.0.1).")),
             qPrintable(said));
    QVERIFY(!said.contains(QStringLiteral("skips")));
    facts.interfaces.clear();
    said = Ui::discoveryDiagnosis(facts).join(QLatin1Char('\n'));
    QVERIFY2(said.contains(QStringLiteral("not connected to a network")), qPrintable(said));
}

void TestReachingHubs::aBadInviteLinkIsExplained()
{
    const int hubs = m_workspace->hubs()->rowCount();
    m_window->openInviteLink(QStringLiteral("parley://127.0.0.1:4000/?hub=abc&fp=12ab")); // cut
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = m_window->findChild<QMessageBox *>(QStringLiteral("badInviteLink"))));
    QVERIFY2(box->text().contains(QStringLiteral("64 hexadecimal")), qPrintable(box->text()));
    QCOMPARE(m_workspace->hubs()->rowCount(), hubs); // nothing joined
    box->accept();
}

void TestReachingHubs::hostHeaderGivesInviteLinksAndAQrCode()
{
    // The header as it is on the hosting computer: the hub's addresses (one on a LAN here, as
    // the hub would list it), its certificate, and the room shown.
    Ui::HubHeader *header = m_window->hubHeader();
    const QString fingerprint(64, QLatin1Char('a'));
    Ui::HostedHub hosted { QStringLiteral("Test hub"),
                           fingerprint,
                           { QStringLiteral("192.0.2.9:4000") },
                           QUrl(QStringLiteral("wss://127.0.0.1:4000/socket")) };
    header->setHosted(hosted);
    header->setInviteRoom(QStringLiteral("general"));
    QVERIFY(header->inviteButton()->isVisible());
    const QList<Client::InviteLink> links = header->inviteLinks();
    QCOMPARE(links.size(), 2); // the LAN address first, this computer last
    QCOMPARE(links.at(0).mountUrl, QUrl(QStringLiteral("wss://192.0.2.9:4000/socket")));
    QCOMPARE(links.at(1).mountUrl, QUrl(QStringLiteral("wss://127.0.0.1:4000/socket")));
    for (const Client::InviteLink &link : links) {
        QCOMPARE(link.hubId, m_workspace->session()->hubId());
        QCOMPARE(link.fingerprint, fingerprint);
        QCOMPARE(link.room, QStringLiteral("general"));
        QCOMPARE(Client::InviteLink::parse(link.toString(), nullptr), link);
    }

    // The menu copies a link; its last entry shows the QR code.
    QSignalSpy copied(header, &Ui::HubHeader::inviteLinkCopied);
    QMenu *menu = header->inviteButton()->menu();
    emit menu->aboutToShow();
    QList<QAction *> actions = menu->actions();
    QVERIFY(actions.size() >= 3);
    actions.first()->trigger();
    QCOMPARE(copied.size(), 1);
    QCOMPARE(copied.first().at(0).toString(), links.first().toString());
    QCOMPARE(QGuiApplication::clipboard()->text(), links.first().toString());

    // A QR code: square, a quiet zone of four light modules, a finder pattern in the corner
    // (a dark 7×7 ring, a light ring, a dark 3×3 centre).
    const QImage code = Ui::QrCodeDialog::encode(links.first().toString());
    QVERIFY(!code.isNull());
    QCOMPARE(code.width(), code.height());
    QVERIFY(code.width() >= 21 + 8);
    const auto dark = [&code](int x, int y) { return qGray(code.pixel(x, y)) < 128; };
    QVERIFY(!dark(3, 3));
    QVERIFY(dark(4, 4) && dark(10, 4) && dark(4, 10) && dark(10, 10));
    QVERIFY(!dark(5, 5) && !dark(9, 9));
    QVERIFY(dark(6, 6) && dark(8, 8));
    Ui::QrCodeDialog dialog(QStringLiteral("Test hub"), links);
    QCOMPARE(dialog.shownLink(), links.first().toString());
    QVERIFY(!dialog.findChild<QLabel *>(QStringLiteral("qrCode"))->pixmap().isNull());
    header->setHosted(std::nullopt);
    QVERIFY(!header->inviteButton()->isVisible());
}

void TestReachingHubs::anUnreachableAddressSaysSoWithBack()
{
    // A port nothing listens on (taken and given back at once): the first failed connect says so
    // in words, with the address really used and the system's reason, and Back leaves it.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    const QUrl url(QStringLiteral("ws://127.0.0.1:%1/socket").arg(port));
    m_workspace->join(url);
    ChatSession *session = m_workspace->sessionFor(url);
    QVERIFY(session);
    Ui::ConnectionBanner *banner = m_window->banner();
    const QString expected
        = QStringLiteral("Can't reach 127.0.0.1:%1 (connection refused)").arg(port);
    QTRY_VERIFY2_WITH_TIMEOUT(banner->isShown() && banner->text().startsWith(expected),
                              qPrintable(banner->text()), 5000);
    auto *back = banner->findChild<QPushButton *>(QStringLiteral("bannerBack"));
    QVERIFY(back && back->isVisible());

    // Back: the hub is left, and the join dialog asks again with the address in it.
    const int hubs = m_workspace->hubs()->rowCount();
    QString typed;
    QTimer answer; // answers the modal dialog from inside its own event loop
    answer.setInterval(20);
    connect(&answer, &QTimer::timeout, this, [&typed, &answer] {
        if (auto *dialog = qobject_cast<Ui::JoinDialog *>(QApplication::activeModalWidget())) {
            typed = dialog->addressEdit()->text();
            answer.stop();
            dialog->reject();
        }
    });
    answer.start();
    back->click();
    QTRY_VERIFY(!typed.isEmpty());
    QCOMPARE(typed, QStringLiteral("127.0.0.1:%1").arg(port));
    QCOMPARE(m_workspace->hubs()->rowCount(), hubs - 1);
    QVERIFY(!m_workspace->sessionFor(url));
}

QTEST_MAIN(TestReachingHubs)
#include "tst_reachinghubs.moc"
