// The desktop app's window against a real hub on 127.0.0.1 (port 0): sending from the composer,
// the people panel following presence by rows, unread counts, plain-text bodies, the connection
// banner across a hub restart, and the Join dialog finding a hub over loopback discovery.

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

using namespace Parley;
using Client::ChatMessage;
using Client::ChatSession;
using Client::MessageModel;
using Client::PresenceModel;
using Client::RoomListModel;

namespace {

constexpr int hubTimeoutMs = 10'000;

// A hub of its own process (plain ws://, in memory); nullptr if it did not start.
std::unique_ptr<Testing::HubProcess> startHub(quint16 port = 0, bool announce = false,
                                              const QString &name = QStringLiteral("Test hub"),
                                              int presenceLimit = 0)
{
    Testing::HubProcess::Options options;
    options.port = port;
    options.announce = announce;
    options.name = name;
    options.lobbyPresenceLimit = presenceLimit;
    options.presenceListed = presenceLimit;
    auto hub = std::make_unique<Testing::HubProcess>(options);
    return hub->start() ? std::move(hub) : nullptr;
}

using Testing::otherUser;

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void settingsStayInTheTestDirectory();
    void enterSendsMessageOnce();
    void shiftEnterStartsNewLineWithoutSending();
    void overlongTextStaysInTheComposer();
    void usersPanelFollowsJoinAndLeaveByRows();
    void usersPanelOfABigHubSaysWhomItLists();
    void exportedIdentityIsTheSamePersonOnASecondDevice();
    void importedIdentityReconnectsAsThatPerson();
    void unreadCountsGrowAndClear();
    void failedMessageCanBeSentAgainFromItsMenu();
    void shortcutsMoveBetweenRoomsFromTheComposer();
    void htmlBodyIsShownLiterally();
    void messagesOfOneUserAreGrouped();
    void scrollingToTheTopLoadsOlderHistory();
    void bannerShowsReconnectingAndClearsWhenHubReturns();
    void lockedRoomAsksForPassword();
    void bannerExplainsRefusalAndHubPasswordFixesIt();
    void autoAwayAfterIdleAndBackOnInput();
    void joinDialogListsHubDiscoveredOverLoopback();
    void aBadInviteLinkIsExplained();
    void jumpBarsHelpCatchingUp();
    void leavingARoomShowsTheOneBefore();
    void aLongNicknameIsRefusedNotCut();
    void dialogsUseTheAppsIcons();
    void upEditsTheLastMessageInPlace();
    void aRefusedRoomIsExplainedAndTheInputKept();
    void anUnreachableAddressSaysSoWithBack();
    void discoveryExplainsAPortInUse();
    void discoveryTellsWhetherItHearsItsOwnHub();
    void discoveryNamesTheAdaptersItSkips();
    void hostHeaderGivesInviteLinksAndAQrCode();

    void findsLinks_data();
    void findsLinks();
    void parsesHubAddresses_data();
    void parsesHubAddresses();
    void notificationRules_data();
    void notificationRules();
    void roomNamesFromTitles();

private:
    MessageModel *shownMessages() const { return m_window->messageView()->messages(); }
    bool waitForRoom(const QString &topic);

    QTemporaryDir m_settingsDir;
    std::unique_ptr<Testing::HubProcess> m_hub;
    std::unique_ptr<Ui::AppSettings> m_settings;
    std::unique_ptr<App::Workspace> m_workspace;
    std::unique_ptr<Ui::MainWindow> m_window;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    Testing::keepSettingsIn(m_settingsDir.path());
}

void TestMainWindow::init()
{
    m_hub = startHub();
    QVERIFY(m_hub);
    Testing::TestWindow made = Testing::openTestWindow();
    m_settings = std::move(made.settings);
    m_workspace = std::move(made.workspace);
    m_window = std::move(made.window);
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_workspace->join(m_hub->url());
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
}

void TestMainWindow::cleanup()
{
    m_window.reset();
    m_workspace.reset();
    m_settings.reset();
    m_hub.reset();
    Testing::clearSettings(); // every test starts as a first visit
}

bool TestMainWindow::waitForRoom(const QString &topic)
{
    return QTest::qWaitFor(
        [&] {
            const ChatSession *session = m_workspace->session();
            return session && session->isJoined(topic)
                && m_window->navigator()->currentTopic() == topic
                && m_window->composer()->topic() == topic && shownMessages();
        },
        hubTimeoutMs);
}

void TestMainWindow::settingsStayInTheTestDirectory()
{
    // The identity is the key main() loads (tst_identityfile); the settings keep the rest.
    const QString userId = m_settings->userId();
    QCOMPARE(userId.size(), 22);
    QCOMPARE(m_settings->userId(), userId); // one key per run
    m_settings->sync();
    QVERIFY(QFile::exists(m_settingsDir.filePath(QStringLiteral("Parley/parley.ini"))));
    QVERIFY(!Ui::AppSettings::nickError(QString()).isEmpty());
    QVERIFY(!Ui::AppSettings::nickError(QString(33, QLatin1Char('n'))).isEmpty());
    QVERIFY(Ui::AppSettings::nickError(QStringLiteral(" Ana ")).isEmpty());
}

void TestMainWindow::enterSendsMessageOnce()
{
    auto bob = otherUser(m_hub->url(), QStringLiteral("bob-00001"), QStringLiteral("Bob"));
    bob->openTopic(Ui::RoomNavigator::defaultTopic());
    QTRY_VERIFY_WITH_TIMEOUT(bob->isJoined(Ui::RoomNavigator::defaultTopic()), hubTimeoutMs);
    QSignalSpy bobReceived(bob.get(), &ChatSession::messageArrived);
    QAbstractItemModelTester tester(shownMessages(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);

    Ui::Composer *composer = m_window->composer();
    QVERIFY(composer->hasFocus() || QApplication::focusWidget() == composer);
    QTest::keyClicks(composer, QStringLiteral("hello from the window"));
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(composer->toPlainText(), QString());

    // Shown at once (pending), then acknowledged; the broadcast reaching the other user proves
    // the hub has sent it to us too, and it must not have added a second row.
    QCOMPARE(shownMessages()->rowCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(bobReceived.count(), 1, hubTimeoutMs);
    QTRY_COMPARE(shownMessages()->data(shownMessages()->index(0), MessageModel::StateRole).toInt(),
                 int(ChatMessage::State::Sent));
    QCOMPARE(bobReceived.at(0).at(1).value<ChatMessage>().body,
             QStringLiteral("hello from the window"));
    // One more round trip through the hub: anything still in flight to us has arrived.
    bob->conversation(Ui::RoomNavigator::defaultTopic())->send(QStringLiteral("got it"));
    QTRY_COMPARE_WITH_TIMEOUT(shownMessages()->rowCount(), 2, hubTimeoutMs);
    QCOMPARE(shownMessages()->data(shownMessages()->index(0), MessageModel::BodyRole).toString(),
             QStringLiteral("hello from the window"));
    QCOMPARE(shownMessages()->data(shownMessages()->index(1), MessageModel::BodyRole).toString(),
             QStringLiteral("got it"));
}

void TestMainWindow::overlongTextStaysInTheComposer()
{
    // 4,001 characters: the hub would refuse it, so the window does not send it and gives the
    // text back to be shortened, with the reason in the status bar.
    Ui::Composer *composer = m_window->composer();
    const QString text = QStringLiteral("Pasted log: ") + QString(3989, u'x');
    QCOMPARE(text.size(), 4001);
    composer->setPlainText(text);
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(composer->toPlainText(), text);
    QCOMPARE(shownMessages()->rowCount(), 0);
    const QString why = Client::Conversation::bodyProblem(text);
    QVERIFY(why.contains(QLocale().toString(4001))); // says how long it is
    QCOMPARE(m_window->statusBar()->currentMessage(), why);
    // Near the limit a counter says how far, red over it.
    QLabel *counter = m_window->composerCounter();
    QVERIFY(counter->isVisible());
    QCOMPARE(counter->text(),
             QStringLiteral("%1 / %2").arg(QLocale().toString(4001), QLocale().toString(4000)));
    QVERIFY(counter->styleSheet().contains(QStringLiteral("#d93025")));

    // Shortened to the limit, it goes; the old error and the counter go with it.
    composer->setPlainText(text.left(4000));
    QVERIFY(!counter->styleSheet().contains(QStringLiteral("#d93025")));
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(composer->toPlainText(), QString());
    QVERIFY(m_window->statusBar()->currentMessage().isEmpty());
    QVERIFY(!counter->isVisible());
    QCOMPARE(shownMessages()->rowCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(
        shownMessages()->data(shownMessages()->index(0), MessageModel::StateRole).toInt(),
        int(ChatMessage::State::Sent), hubTimeoutMs);
}

void TestMainWindow::shiftEnterStartsNewLineWithoutSending()
{
    Ui::Composer *composer = m_window->composer();
    QTest::keyClicks(composer, QStringLiteral("first"));
    QTest::keyClick(composer, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(composer, QStringLiteral("second"));
    QCOMPARE(composer->toPlainText(), QStringLiteral("first\nsecond"));
    QCOMPARE(shownMessages()->rowCount(), 0);
    QTest::keyClick(composer, Qt::Key_Enter); // the keypad's Enter sends too
    QTRY_COMPARE(shownMessages()->rowCount(), 1);
    QCOMPARE(shownMessages()->data(shownMessages()->index(0), MessageModel::BodyRole).toString(),
             QStringLiteral("first\nsecond"));
}

void TestMainWindow::usersPanelFollowsJoinAndLeaveByRows()
{
    QAbstractItemModel *people = m_window->usersPanel()->view()->model();
    QVERIFY(people);
    QTRY_COMPARE(people->rowCount(), 1); // ourselves
    QAbstractItemModelTester tester(people, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(people, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(people, &QAbstractItemModel::rowsRemoved);
    QSignalSpy reset(people, &QAbstractItemModel::modelReset);
    m_window->usersPanel()->view()->setCurrentIndex(people->index(0, 0));

    auto carol = otherUser(m_hub->url(), QStringLiteral("carol-0001"), QStringLiteral("Carol"));
    QTRY_COMPARE_WITH_TIMEOUT(people->rowCount(), 2, hubTimeoutMs);
    QCOMPARE(inserted.count(), 1);
    const QModelIndex carolRow = people->index(
        qobject_cast<PresenceModel *>(people)->rowOfUser(Parley::Testing::TestKeys::userId(QStringLiteral("carol-0001"))), 0);
    QCOMPARE(carolRow.data(PresenceModel::NickRole).toString(), QStringLiteral("Carol"));
    QCOMPARE(carolRow.data(PresenceModel::StatusRole).toString(), QStringLiteral("online"));

    carol->disconnectFromHub();
    QTRY_COMPARE_WITH_TIMEOUT(people->rowCount(), 1, hubTimeoutMs);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(reset.count(), 0);
    // The selection survived: still on ourselves.
    QCOMPARE(
        m_window->usersPanel()->view()->currentIndex().data(PresenceModel::IsSelfRole).toBool(),
        true);
}

void TestMainWindow::usersPanelOfABigHubSaysWhomItLists()
{
    // A hub that lists everyone up to 2 users (docs/protocol.md 6, "bounded presence").
    auto big = startHub(0, false, QStringLiteral("Big hub"), 2);
    QVERIFY(big);
    m_workspace->join(big->url());
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
    auto *title = m_window->usersPanel()->findChild<QLabel *>(QStringLiteral("presenceTitle"));
    auto *note = m_window->usersPanel()->findChild<QLabel *>(QStringLiteral("presenceNote"));
    QVERIFY(title && note);
    QTRY_COMPARE(title->text(), Ui::OnlineUsersPanel::tr("On this hub — %L1").arg(1));
    QVERIFY(note->isHidden());

    auto carol = otherUser(big->url(), QStringLiteral("carol-0001"), QStringLiteral("Carol"));
    auto dave = otherUser(big->url(), QStringLiteral("dave-0001"), QStringLiteral("Dave"));
    QTRY_COMPARE_WITH_TIMEOUT(title->text(), Ui::OnlineUsersPanel::tr("On this hub — %L1").arg(3),
                              hubTimeoutMs);
    QVERIFY(note->isVisible());
    QCOMPARE(m_window->usersPanel()->view()->model()->rowCount(), 2);
    QCOMPARE(note->text(),
             Ui::OnlineUsersPanel::tr("Showing the %Ln most recently active", nullptr, 2));

    dave->disconnectFromHub();
    carol->disconnectFromHub();
    QTRY_VERIFY_WITH_TIMEOUT(note->isHidden(), hubTimeoutMs);
    QTRY_COMPARE(title->text(), Ui::OnlineUsersPanel::tr("On this hub — %L1").arg(1));
}

void TestMainWindow::failedMessageCanBeSentAgainFromItsMenu()
{
    ChatSession *session = m_workspace->session();
    const QString topic = Ui::RoomNavigator::defaultTopic();
    QSignalSpy errors(session, &ChatSession::errorOccurred);
    session->conversation(topic)->send(QStringLiteral("fine"));
    session->conversation(topic)->send(QString(4001, u'x')); // the hub refuses it: invalid_body
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, hubTimeoutMs);
    MessageModel *shown = shownMessages();
    QCOMPARE(shown->rowCount(), 2);
    const auto stateOf = [shown](int row) {
        return ChatMessage::State(shown->data(shown->index(row), MessageModel::StateRole).toInt());
    };
    QTRY_COMPARE(stateOf(0), ChatMessage::State::Sent);
    QCOMPARE(stateOf(1), ChatMessage::State::Failed);

    Ui::MessageView *view = m_window->messageView();
    const auto menuOf = [view](int row) {
        return view->contextMenuAt(view->visualRect(view->model()->index(row, 0)).center());
    };
    const auto sendAgainIn = [](QMenu *menu) -> QAction * {
        for (QAction *action : menu->actions()) {
            if (action->text() == Ui::MessageView::tr("Send again"))
                return action;
        }
        return nullptr;
    };
    const std::unique_ptr<QMenu> sentMenu = menuOf(0);
    QVERIFY(sentMenu);
    QVERIFY(!sendAgainIn(sentMenu.get())); // a sent message has nothing to retry

    // The menu's action resends the same message (same client id, same row): pending at once,
    // refused again by the hub, so failed again with a second error.
    const std::unique_ptr<QMenu> failedMenu = menuOf(1);
    QVERIFY(failedMenu);
    QAction *retry = sendAgainIn(failedMenu.get());
    QVERIFY(retry);
    retry->trigger();
    QCOMPARE(stateOf(1), ChatMessage::State::Pending);
    QCOMPARE(shown->rowCount(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 2, hubTimeoutMs);
    QCOMPARE(stateOf(1), ChatMessage::State::Failed);
}

void TestMainWindow::exportedIdentityIsTheSamePersonOnASecondDevice()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("me.pem"));
    QString error;
    QVERIFY2(m_window->identityActions()->exportTo(file, &error), qPrintable(error));
    const std::optional<Protocol::Identity::KeyPair> key = Client::IdentityFile::read(file, &error);
    QVERIFY2(key, qPrintable(error));
    QCOMPARE(key->userId(), m_settings->userId());

    // The laptop: another installation with the exported key. One person, two devices.
    Client::Identity laptop { *key, QStringLiteral("Tester"), QStringLiteral("laptop") };
    ChatSession second(laptop);
    second.connectToHub(m_hub->url());
    second.openTopic(Ui::RoomNavigator::defaultTopic());
    auto *people = qobject_cast<PresenceModel *>(m_window->usersPanel()->view()->model());
    QVERIFY(people);
    QTRY_COMPARE_WITH_TIMEOUT(people->index(people->rowOfUser(m_settings->userId()), 0)
                                      .data(PresenceModel::DeviceCountRole).toInt(), 2, hubTimeoutMs);
    QCOMPARE(people->rowCount(), 1);
    second.disconnectFromHub();
}

void TestMainWindow::importedIdentityReconnectsAsThatPerson()
{
    QTemporaryDir dir;
    const QString identityFile = dir.filePath(QStringLiteral("identity.pem"));
    QString error;
    QVERIFY(Client::IdentityFile::write(identityFile, m_settings->identityKey(), &error));
    m_settings->setIdentityPath(identityFile);
    const QString before = m_settings->userId();
    const Protocol::Identity::KeyPair other = Protocol::Identity::KeyPair::generate();
    const QString otherFile = dir.filePath(QStringLiteral("from-my-other-laptop.pem"));
    QVERIFY(Client::IdentityFile::write(otherFile, other, &error));

    QVERIFY2(m_window->identityActions()->importFrom(otherFile, &error), qPrintable(error));
    QCOMPARE(m_settings->userId(), other.userId());
    // The key file now holds the imported key; the old one is kept beside it.
    QCOMPARE(Client::IdentityFile::read(identityFile, &error)->userId(), other.userId());
    const QStringList kept = QDir(dir.path()).entryList({ QStringLiteral("identity.pem.replaced-*") });
    QCOMPARE(kept.size(), 1);
    QCOMPARE(Client::IdentityFile::read(dir.filePath(kept.first()), &error)->userId(), before);
    // The app reconnected as the imported identity: the hub knows it by that user_id.
    QTRY_VERIFY_WITH_TIMEOUT(m_workspace->session() && m_workspace->session()->identity().userId() == other.userId()
                                     && m_workspace->session()->hubPresence()->rowOfUser(other.userId()) >= 0,
                             hubTimeoutMs);
    QCOMPARE(m_workspace->session()->hubPresence()->rowOfUser(before), -1);
}

void TestMainWindow::unreadCountsGrowAndClear()
{
    ChatSession *session = m_workspace->session();
    QSignalSpy created(session, &ChatSession::roomCreated);
    session->createRoom(QStringLiteral("side"), QStringLiteral("Side room"), {});
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, hubTimeoutMs);
    RoomListModel *rooms = session->rooms();
    QTRY_VERIFY(rooms->rowOfTopic(QStringLiteral("room:side")) >= 0);
    session->openTopic(QStringLiteral("room:side")); // joined, but general stays shown
    QTRY_VERIFY_WITH_TIMEOUT(session->isJoined(QStringLiteral("room:side")), hubTimeoutMs);
    QCOMPARE(m_window->navigator()->currentTopic(), Ui::RoomNavigator::defaultTopic());

    auto dora = otherUser(m_hub->url(), QStringLiteral("dora-00001"), QStringLiteral("Dora"));
    dora->openTopic(QStringLiteral("room:side"));
    QTRY_VERIFY_WITH_TIMEOUT(dora->isJoined(QStringLiteral("room:side")), hubTimeoutMs);
    for (int i = 1; i <= 3; ++i)
        dora->conversation(QStringLiteral("room:side"))->send(QStringLiteral("side %1").arg(i));
    const auto unread = [&] {
        return rooms->index(rooms->rowOfTopic(QStringLiteral("room:side")))
            .data(RoomListModel::UnreadRole)
            .toInt();
    };
    QTRY_COMPARE_WITH_TIMEOUT(unread(), 3, hubTimeoutMs);

    // Picking the room in the list shows it, with the "new messages" line, and clears the count.
    Ui::RoomListView *list = m_window->roomList();
    list->setCurrentIndex(rooms->index(rooms->rowOfTopic(QStringLiteral("room:side"))));
    QVERIFY(waitForRoom(QStringLiteral("room:side")));
    QCOMPARE(unread(), 0);
    QCOMPARE(shownMessages()->rowCount(), 3);
    QCOMPARE(m_window->messageView()->delegate()->newMarkerId(),
             shownMessages()->data(shownMessages()->index(0), MessageModel::IdRole).toLongLong());
    QVERIFY(m_window->composer()->hasFocus());

    // Ctrl+PgUp goes back to general, which stays at 0 while Dora writes in side again.
    list->selectPrevious();
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
    dora->conversation(QStringLiteral("room:side"))->send(QStringLiteral("side 4"));
    QTRY_COMPARE_WITH_TIMEOUT(unread(), 1, hubTimeoutMs);
}

void TestMainWindow::shortcutsMoveBetweenRoomsFromTheComposer()
{
    ChatSession *session = m_workspace->session();
    QSignalSpy created(session, &ChatSession::roomCreated);
    session->createRoom(QStringLiteral("zeta"), QStringLiteral("Zeta"), {});
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, hubTimeoutMs);
    QTRY_VERIFY(session->rooms()->rowOfTopic(QStringLiteral("room:zeta")) >= 0);
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTRY_VERIFY(m_window->composer()->hasFocus());

    QTest::keyClick(m_window->composer(), Qt::Key_PageDown, Qt::ControlModifier);
    QVERIFY(waitForRoom(QStringLiteral("room:zeta")));
    QTRY_VERIFY(m_window->composer()->hasFocus()); // a room opens ready to write
    QTest::keyClick(m_window->composer(), Qt::Key_PageUp, Qt::ControlModifier);
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
    m_window->roomList()->setFocus();
    QTest::keyClick(m_window->roomList(), Qt::Key_L, Qt::ControlModifier);
    QTRY_VERIFY(m_window->composer()->hasFocus());
}

void TestMainWindow::htmlBodyIsShownLiterally()
{
    const QString html
        = QStringLiteral("<b>x</b><img src=\"http://127.0.0.1:1/a.png\"> & &amp; <br>");
    auto eve = otherUser(m_hub->url(), QStringLiteral("eve-000001"), QStringLiteral("<i>Eve</i>"));
    eve->openTopic(Ui::RoomNavigator::defaultTopic());
    QTRY_VERIFY_WITH_TIMEOUT(eve->isJoined(Ui::RoomNavigator::defaultTopic()), hubTimeoutMs);
    eve->conversation(Ui::RoomNavigator::defaultTopic())->send(html);
    QTRY_COMPARE_WITH_TIMEOUT(shownMessages()->rowCount(), 1, hubTimeoutMs);

    const QModelIndex index = shownMessages()->index(0);
    Ui::MessageDelegate *delegate = m_window->messageView()->delegate();
    QCOMPARE(delegate->layoutText(index), html);
    QCOMPARE(index.data(MessageModel::NickRole).toString(), QStringLiteral("<i>Eve</i>"));
    // The only link is the one in the text, found as text; nothing became an image or markup.
    const QList<Ui::TextLink> links = delegate->links(index);
    QCOMPARE(links.size(), 1);
    QCOMPARE(links.first().url, QUrl(QStringLiteral("http://127.0.0.1:1/a.png")));
    // And painting it works (the delegate draws through QTextLayout).
    QVERIFY(!m_window->messageView()->grab().isNull());
}

void TestMainWindow::messagesOfOneUserAreGrouped()
{
    auto fay = otherUser(m_hub->url(), QStringLiteral("fay-000001"), QStringLiteral("Fay"));
    fay->openTopic(Ui::RoomNavigator::defaultTopic());
    QTRY_VERIFY_WITH_TIMEOUT(fay->isJoined(Ui::RoomNavigator::defaultTopic()), hubTimeoutMs);
    fay->conversation(Ui::RoomNavigator::defaultTopic())->send(QStringLiteral("one"));
    fay->conversation(Ui::RoomNavigator::defaultTopic())->send(QStringLiteral("two"));
    QTRY_COMPARE_WITH_TIMEOUT(shownMessages()->rowCount(), 2, hubTimeoutMs);
    QTest::keyClicks(m_window->composer(), QStringLiteral("three"));
    QTest::keyClick(m_window->composer(), Qt::Key_Return);
    QCOMPARE(shownMessages()->rowCount(), 3);

    Ui::MessageDelegate *delegate = m_window->messageView()->delegate();
    QVERIFY(delegate->startsDay(shownMessages()->index(0)));
    QVERIFY(delegate->startsGroup(shownMessages()->index(0)));
    QVERIFY(!delegate->startsGroup(shownMessages()->index(1))); // Fay again, seconds later
    QVERIFY(!delegate->startsDay(shownMessages()->index(1)));
    QVERIFY(delegate->startsGroup(shownMessages()->index(2))); // another user
    // A grouped row is shorter: it has no name line.
    QStyleOptionViewItem option;
    option.initFrom(m_window->messageView());
    option.widget = m_window->messageView();
    QVERIFY(delegate->sizeHint(option, shownMessages()->index(1)).height()
            < delegate->sizeHint(option, shownMessages()->index(2)).height());
    // But it is not spaced like the next line of one message: a gap tells two messages apart.
    QVERIFY(delegate->sizeHint(option, shownMessages()->index(1)).height()
            >= QFontMetrics(option.font).lineSpacing() + 4);
}

void TestMainWindow::scrollingToTheTopLoadsOlderHistory()
{
    const QString archive = QStringLiteral("room:archive");
    auto hal = otherUser(m_hub->url(), QStringLiteral("hal-000001"), QStringLiteral("Hal"));
    QSignalSpy created(hal.get(), &ChatSession::roomCreated);
    QTRY_VERIFY_WITH_TIMEOUT(!hal->hubId().isEmpty(), hubTimeoutMs);
    hal->createRoom(QStringLiteral("archive"), QStringLiteral("Archive"), {});
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, hubTimeoutMs);
    hal->openTopic(archive);
    QTRY_VERIFY_WITH_TIMEOUT(hal->isJoined(archive), hubTimeoutMs);
    for (int i = 1; i <= 70; ++i)
        hal->conversation(archive)->send(QStringLiteral("old %1").arg(i));
    QTRY_VERIFY_WITH_TIMEOUT(hal->conversation(archive)->messages()->unconfirmed().isEmpty(),
                             hubTimeoutMs);

    // Opening the room shows the newest page at the bottom; older ones exist on the hub.
    m_window->navigator()->activate(archive);
    QVERIFY(waitForRoom(archive));
    QTRY_COMPARE_WITH_TIMEOUT(shownMessages()->rowCount(), 50, hubTimeoutMs);
    QVERIFY(shownMessages()->hasMore());
    Ui::MessageView *view = m_window->messageView();
    QScrollBar *bar = view->verticalScrollBar();
    QTRY_VERIFY(bar->maximum() > 0 && bar->value() == bar->maximum());
    QCOMPARE(shownMessages()->rowCount(), 50); // nothing was fetched while at the bottom

    // Scrolling to the top fetches the rest, and the text that was on top stays where it was
    // (its row only loses the day separator and name line it had as the first row).
    const QPersistentModelIndex oldTop = shownMessages()->index(0);
    QCOMPARE(oldTop.data(MessageModel::BodyRole).toString(), QStringLiteral("old 21"));
    bar->setValue(bar->minimum());
    const int textBottom = view->visualRect(oldTop).bottom();
    QTRY_COMPARE_WITH_TIMEOUT(shownMessages()->rowCount(), 70, hubTimeoutMs);
    QCOMPARE(shownMessages()->index(0).data(MessageModel::BodyRole).toString(),
             QStringLiteral("old 1"));
    QTRY_VERIFY(bar->value() > 0);
    QTRY_COMPARE(view->visualRect(oldTop).bottom(), textBottom);
    QVERIFY(!m_window->messageView()->delegate()->startsGroup(oldTop));
}

void TestMainWindow::bannerShowsReconnectingAndClearsWhenHubReturns()
{
    Ui::ConnectionBanner *banner = m_window->banner();
    QTRY_VERIFY(!banner->isShown());
    const quint16 port = m_hub->port();

    // Someone typing in #general when the hub goes.
    ChatSession *session = m_workspace->session();
    const QString general = Ui::RoomNavigator::defaultTopic();
    auto carol = otherUser(m_hub->url(), QStringLiteral("carol-0001"), QStringLiteral("Carol"));
    carol->openTopic(general);
    QTRY_VERIFY_WITH_TIMEOUT(carol->isJoined(general), hubTimeoutMs);
    carol->conversation(general)->setTyping(true);
    PresenceModel *people = session->conversation(general)->presence();
    QTRY_COMPARE_WITH_TIMEOUT(people->typingNicks(), QStringList { QStringLiteral("Carol") },
                              hubTimeoutMs);
    auto *title = m_window->usersPanel()->findChild<QLabel *>(QStringLiteral("presenceTitle"));
    auto *note = m_window->usersPanel()->findChild<QLabel *>(QStringLiteral("presenceNote"));
    QVERIFY(title && note);

    m_hub.reset(); // stop(): clients are closed with 1001 and come back by themselves
    QTRY_VERIFY_WITH_TIMEOUT(banner->isShown(), hubTimeoutMs);
    // parley-hub stopped by a signal closes everyone with 1001 shutting_down: said as such.
    QTRY_VERIFY2_WITH_TIMEOUT(
        banner->text().startsWith(QStringLiteral("The host stopped “Test hub”")),
        qPrintable(banner->text()), hubTimeoutMs);
    // Disconnected screens do not look live: the people as last known, greyed, since when,
    // nobody typing.
    QTRY_VERIFY_WITH_TIMEOUT(session->hubPresence()->offlineSince() > 0, hubTimeoutMs);
    QVERIFY2(title->text().startsWith(QStringLiteral("Last known")), qPrintable(title->text()));
    QVERIFY2(note->isVisible() && note->text().startsWith(QStringLiteral("Offline since")),
             qPrintable(note->text()));
    QVERIFY(people->typingNicks().isEmpty());
    QVERIFY(session->hubPresence()->index(0).data(PresenceModel::LastKnownRole).toBool());

    m_hub = startHub(port);
    QVERIFY(m_hub);
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isShown(), 15'000);
    QTRY_VERIFY(title->text().startsWith(QStringLiteral("On this hub")));
    QCOMPARE(session->hubPresence()->offlineSince(), 0);
    QCOMPARE(m_workspace->session()->connectionState(), ChatSession::ConnectionState::Connected);
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
}

void TestMainWindow::lockedRoomAsksForPassword()
{
    ChatSession *session = m_workspace->session();
    auto gil = otherUser(m_hub->url(), QStringLiteral("gil-000001"), QStringLiteral("Gil"));
    QSignalSpy created(gil.get(), &ChatSession::roomCreated);
    QTRY_COMPARE_WITH_TIMEOUT(gil->connectionState(), ChatSession::ConnectionState::Connected,
                              hubTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!gil->hubId().isEmpty(), hubTimeoutMs);
    gil->createRoom(QStringLiteral("vault"), QStringLiteral("Vault"), QStringLiteral("s3cret"));
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, hubTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(session->rooms()->rowOfTopic(QStringLiteral("room:vault")) >= 0,
                             hubTimeoutMs);

    QSignalSpy needed(m_window->navigator(), &Ui::RoomNavigator::passwordNeeded);
    m_window->navigator()->activate(QStringLiteral("room:vault"));
    QTRY_COMPARE_WITH_TIMEOUT(needed.count(), 1, hubTimeoutMs);
    QCOMPARE(needed.at(0).at(0).toString(), QStringLiteral("room:vault"));
    QCOMPARE(needed.at(0).at(1).toBool(), false);
    // Meanwhile the window is back in the room the user came from.
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
    // The prompt is open; answering it joins the room.
    auto *prompt = m_window->findChild<QInputDialog *>();
    QVERIFY(prompt);
    prompt->setTextValue(QStringLiteral("s3cret"));
    prompt->accept();
    QVERIFY(waitForRoom(QStringLiteral("room:vault")));
}

void TestMainWindow::bannerExplainsRefusalAndHubPasswordFixesIt()
{
    Testing::HubProcess::Options options;
    options.password = QStringLiteral("letmein");
    Testing::HubProcess locked(options);
    QVERIFY(locked.start());

    m_workspace->join(locked.url()); // no password
    Ui::ConnectionBanner *banner = m_window->banner();
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->connectionState(),
                              ChatSession::ConnectionState::Refused, hubTimeoutMs);
    QVERIFY(banner->isShown());
    QVERIFY2(banner->text().contains(QStringLiteral("wrong or missing hub password")),
             qPrintable(banner->text()));

    // The banner's button asks for the password and connects again with it.
    auto *action = banner->findChild<QPushButton *>();
    QVERIFY(action && action->isVisible());
    action->click();
    auto *prompt = m_window->findChild<QInputDialog *>();
    QVERIFY(prompt);
    prompt->setTextValue(QStringLiteral("letmein"));
    prompt->accept();
    QTRY_COMPARE_WITH_TIMEOUT(m_workspace->session()->connectionState(),
                              ChatSession::ConnectionState::Connected, hubTimeoutMs);
    QTRY_VERIFY(!banner->isShown());
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
}

void TestMainWindow::autoAwayAfterIdleAndBackOnInput()
{
    ChatSession *session = m_workspace->session();
    QCOMPARE(session->status(), QStringLiteral("online"));
    m_window->idleWatcher()->setTimeout(50);
    QTRY_COMPARE(session->status(), QStringLiteral("away"));
    QCOMPARE(m_window->statusButton()->status(), QStringLiteral("away"));
    QTest::keyClick(m_window->composer(), Qt::Key_A);
    QTRY_COMPARE(session->status(), QStringLiteral("online"));
    m_window->idleWatcher()->setTimeout(Ui::IdleWatcher::defaultTimeoutMs);
}

void TestMainWindow::joinDialogListsHubDiscoveredOverLoopback()
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

void TestMainWindow::discoveryExplainsAPortInUse()
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

void TestMainWindow::discoveryTellsWhetherItHearsItsOwnHub()
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

void TestMainWindow::discoveryNamesTheAdaptersItSkips()
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

void TestMainWindow::anUnreachableAddressSaysSoWithBack()
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

void TestMainWindow::aRefusedRoomIsExplainedAndTheInputKept()
{
    // The dialog is modal: it is worked from a timer inside its event loop. First "General",
    // which exists: the reason in words, the dialog still open with the title typed; then a new
    // name: made, closed, and shown.
    QString refusal;
    QString keptTitle;
    int step = 0;
    QTimer driver;
    driver.setInterval(20);
    connect(&driver, &QTimer::timeout, this, [&] {
        auto *dialog = qobject_cast<Ui::CreateRoomDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        const auto edits = dialog->findChildren<QLineEdit *>();
        auto *create = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        if (step == 0) {
            edits.at(0)->setText(QStringLiteral("General")); // the title; the name follows
            create->click();
            step = 1;
        } else if (step == 1 && dialog->errorText().contains(QStringLiteral("already exists"))) {
            refusal = dialog->errorText();
            keptTitle = edits.at(0)->text();
            edits.at(1)->setText(QStringLiteral("general-2"));
            create->click();
            step = 2;
        }
    });
    driver.start();
    m_window->showCreateRoomDialog();
    QCOMPARE(
        refusal,
        QStringLiteral("A room named “general” already exists on this hub. Pick another name."));
    QCOMPARE(keptTitle, QStringLiteral("General"));
    QVERIFY(waitForRoom(QStringLiteral("room:general-2")));
}

void TestMainWindow::upEditsTheLastMessageInPlace()
{
    Ui::Composer *composer = m_window->composer();
    QTest::keyClicks(composer, QStringLiteral("teh plan"));
    QTest::keyClick(composer, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(
        shownMessages()->data(shownMessages()->index(0), MessageModel::StateRole).toInt(),
        int(ChatMessage::State::Sent), hubTimeoutMs);
    auto *hint = m_window->findChild<QLabel *>(QStringLiteral("editHint"));
    QVERIFY(hint && !hint->isVisible());

    // Up in the empty composer: the last own message, to edit; Esc gives the composer back.
    QTest::keyClick(composer, Qt::Key_Up);
    QVERIFY(composer->isEditing());
    QCOMPARE(composer->toPlainText(), QStringLiteral("teh plan"));
    QVERIFY(hint->isVisible());
    QTest::keyClick(composer, Qt::Key_Escape);
    QVERIFY(!composer->isEditing());
    QCOMPARE(composer->toPlainText(), QString());
    QVERIFY(!hint->isVisible());

    // A draft waits while the message is edited; Enter saves the edit on the hub.
    QTest::keyClicks(composer, QStringLiteral("draft"));
    const qint64 id = shownMessages()->messageAt(0).id;
    m_window->messageView()->editRequested(id, QStringLiteral("teh plan")); // from its menu
    QCOMPARE(composer->toPlainText(), QStringLiteral("teh plan"));
    composer->selectAll();
    QTest::keyClicks(composer, QStringLiteral("the plan"));
    QTest::keyClick(composer, Qt::Key_Return);
    QCOMPARE(composer->toPlainText(), QStringLiteral("draft"));
    QTRY_COMPARE_WITH_TIMEOUT(
        shownMessages()->data(shownMessages()->index(0), MessageModel::BodyRole).toString(),
        QStringLiteral("the plan"), hubTimeoutMs);
    QVERIFY(shownMessages()->data(shownMessages()->index(0), MessageModel::EditedRole).toBool());
    QCOMPARE(shownMessages()->rowCount(), 1); // edited, not sent again
}

void TestMainWindow::dialogsUseTheAppsIcons()
{
    // The app's line icons, in the palette's accent colour, not the toolkit's bitmaps.
    Ui::AppStyle style(QStyleFactory::create(QStringLiteral("Fusion")));
    const QColor accent = QApplication::palette().color(QPalette::Highlight);
    const auto usesAccent = [&](QStyle::StandardPixmap which) {
        const QImage image = style.standardIcon(which).pixmap(QSize(32, 32)).toImage();
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const QColor pixel = image.pixelColor(x, y);
                if (pixel.alpha() > 200 && pixel.rgb() == accent.rgb())
                    return true;
            }
        }
        return false;
    };
    QVERIFY(usesAccent(QStyle::SP_MessageBoxQuestion));
    QVERIFY(usesAccent(QStyle::SP_MessageBoxInformation));
    const QColor ink = QApplication::palette().color(QPalette::ButtonText);
    const QImage ok = style.standardIcon(QStyle::SP_DialogOkButton).pixmap(QSize(32, 32)).toImage();
    bool inked = false;
    for (int y = 0; y < ok.height() && !inked; ++y) {
        for (int x = 0; x < ok.width() && !inked; ++x)
            inked = ok.pixelColor(x, y).alpha() > 200 && ok.pixelColor(x, y).rgb() == ink.rgb();
    }
    QVERIFY(inked);
}

void TestMainWindow::aLongNicknameIsRefusedNotCut()
{
    Ui::NicknameDialog dialog;
    const QString pasted(40, QLatin1Char('n'));
    dialog.nickEdit()->setText(pasted);
    QCOMPARE(dialog.nickEdit()->text(), pasted); // all of it, not 32 characters of it
    QVERIFY(!dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
    const auto labels = dialog.findChildren<QLabel *>();
    QVERIFY(std::any_of(labels.cbegin(), labels.cend(), [](const QLabel *label) {
        return label->text() == QStringLiteral("A nickname has at most 32 characters.");
    }));
    dialog.nickEdit()->setText(pasted.left(32));
    QVERIFY(dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->isEnabled());
}

void TestMainWindow::leavingARoomShowsTheOneBefore()
{
    ChatSession *session = m_workspace->session();
    QSignalSpy created(session, &ChatSession::roomCreated);
    session->createRoom(QStringLiteral("brief"), QStringLiteral("Brief"), {});
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, hubTimeoutMs);
    m_window->navigator()->activate(QStringLiteral("room:brief"));
    QVERIFY(waitForRoom(QStringLiteral("room:brief")));
    m_window->leaveRoom();
    QVERIFY(!session->isOpen(QStringLiteral("room:brief")));
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
    QVERIFY(!m_settings->openTopics(session->hubId()).contains(QStringLiteral("room:brief")));
    QVERIFY(session->rooms()->rowOfTopic(QStringLiteral("room:brief")) >= 0); // still on the hub
}

void TestMainWindow::jumpBarsHelpCatchingUp()
{
    // 40 messages arrive in a room while another is shown: opening it, the "new messages" line
    // is far above, and a bar offers to go there.
    ChatSession *session = m_workspace->session();
    QSignalSpy created(session, &ChatSession::roomCreated);
    session->createRoom(QStringLiteral("busy"), QStringLiteral("Busy room"), {});
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, hubTimeoutMs);
    session->openTopic(QStringLiteral("room:busy"));
    QTRY_VERIFY_WITH_TIMEOUT(session->isJoined(QStringLiteral("room:busy")), hubTimeoutMs);
    auto hal = otherUser(m_hub->url(), QStringLiteral("hal-000001"), QStringLiteral("Hal"));
    hal->openTopic(QStringLiteral("room:busy"));
    QTRY_VERIFY_WITH_TIMEOUT(hal->isJoined(QStringLiteral("room:busy")), hubTimeoutMs);
    for (int i = 1; i <= 40; ++i)
        hal->conversation(QStringLiteral("room:busy"))->send(QStringLiteral("update %1").arg(i));
    QTRY_COMPARE_WITH_TIMEOUT(session->rooms()->entry(QStringLiteral("room:busy")).unread, 40,
                              hubTimeoutMs);
    m_window->navigator()->activate(QStringLiteral("room:busy"));
    QVERIFY(waitForRoom(QStringLiteral("room:busy")));
    Ui::MessageView *view = m_window->messageView();
    QPushButton *firstUnread = view->firstUnreadBar();
    QTRY_VERIFY(firstUnread->isVisible());
    QVERIFY2(firstUnread->text().contains(QStringLiteral("40 unread")),
             qPrintable(firstUnread->text()));
    firstUnread->click();
    QVERIFY(!firstUnread->isVisible());
    const QModelIndex first = shownMessages()->index(0);
    QCOMPARE(first.data(MessageModel::BodyRole).toString(), QStringLiteral("update 1"));
    QVERIFY(view->visualRect(first).intersects(view->viewport()->rect())); // the line is in view

    // Scrolled up, others write: a bar counts them and brings the view to the present.
    QPushButton *present = view->presentBar();
    QTRY_VERIFY(present->isVisible());
    hal->conversation(QStringLiteral("room:busy"))->send(QStringLiteral("one more"));
    hal->conversation(QStringLiteral("room:busy"))->send(QStringLiteral("and another"));
    QTRY_VERIFY2_WITH_TIMEOUT(present->text().startsWith(QStringLiteral("2 new")),
                              qPrintable(present->text()), hubTimeoutMs);
    QVERIFY(!view->isAtBottom());
    present->click();
    QVERIFY(view->isAtBottom());
    QTRY_VERIFY(!present->isVisible());
}

void TestMainWindow::aBadInviteLinkIsExplained()
{
    const int hubs = m_workspace->hubs()->rowCount();
    m_window->openInviteLink(QStringLiteral("parley://127.0.0.1:4000/?hub=abc&fp=12ab")); // cut
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = m_window->findChild<QMessageBox *>(QStringLiteral("badInviteLink"))));
    QVERIFY2(box->text().contains(QStringLiteral("64 hexadecimal")), qPrintable(box->text()));
    QCOMPARE(m_workspace->hubs()->rowCount(), hubs); // nothing joined
    box->accept();
}

void TestMainWindow::hostHeaderGivesInviteLinksAndAQrCode()
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

void TestMainWindow::findsLinks_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QStringList>("urls");
    QTest::addRow("none") << QStringLiteral("no links here") << QStringList();
    QTest::addRow("sentence end") << QStringLiteral("see https://example.org/a.")
                                  << QStringList { QStringLiteral("https://example.org/a") };
    QTest::addRow("www") << QStringLiteral("www.example.org, ok")
                         << QStringList { QStringLiteral("http://www.example.org") };
    QTest::addRow("parenthesis") << QStringLiteral("(http://example.org/x_(y))")
                                 << QStringList { QStringLiteral("http://example.org/x_(y)") };
    QTest::addRow("html around") << QStringLiteral("<a href=\"http://a.example\">x</a>")
                                 << QStringList { QStringLiteral("http://a.example") };
    QTest::addRow("e-mail") << QStringLiteral("write to ana.b+lan@example.org, thanks")
                            << QStringList { QStringLiteral("mailto:ana.b+lan@example.org") };
    QTest::addRow("not an e-mail") << QStringLiteral("meet @ana at 5 or a@b") << QStringList();
    QTest::addRow("two") << QStringLiteral("http://a.example and https://b.example/p?q=1")
                         << QStringList { QStringLiteral("http://a.example"),
                                          QStringLiteral("https://b.example/p?q=1") };
}

void TestMainWindow::findsLinks()
{
    QFETCH(QString, text);
    QFETCH(QStringList, urls);
    QStringList found;
    for (const Ui::TextLink &link : Ui::findLinks(text))
        found << link.url.toString();
    QCOMPARE(found, urls);
}

void TestMainWindow::parsesHubAddresses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("url"); // empty: refused
    // A bare address is wss://: hubs are encrypted unless started with --no-tls.
    QTest::addRow("host:port") << QStringLiteral("192.168.1.20:4001")
                               << QStringLiteral("wss://192.168.1.20:4001/socket");
    QTest::addRow("host only") << QStringLiteral(" pc.local ")
                               << QStringLiteral("wss://pc.local:4000/socket");
    QTest::addRow("plain url") << QStringLiteral("ws://10.0.0.2:5000/socket")
                               << QStringLiteral("ws://10.0.0.2:5000/socket");
    QTest::addRow("wss url") << QStringLiteral("wss://10.0.0.2:5000")
                             << QStringLiteral("wss://10.0.0.2:5000/socket");
    QTest::addRow("ipv6") << QStringLiteral("[::1]:4002")
                          << QStringLiteral("wss://[::1]:4002/socket");
    QTest::addRow("empty") << QString() << QString();
    QTest::addRow("http") << QStringLiteral("http://x:1") << QString();
    QTest::addRow("bad port") << QStringLiteral("x:99999") << QString();
    QTest::addRow("other path") << QStringLiteral("ws://x:1/other") << QString();
}

void TestMainWindow::parsesHubAddresses()
{
    QFETCH(QString, text);
    QFETCH(QString, url);
    QString error;
    const std::optional<QUrl> parsed = Client::parseHubAddress(text, &error);
    if (url.isEmpty()) {
        QVERIFY(!parsed);
        QVERIFY(!error.isEmpty());
    } else {
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(parsed->toString(), url);
    }
}

void TestMainWindow::notificationRules_data()
{
    QTest::addColumn<bool>("active");
    QTest::addColumn<bool>("shown");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("body");
    QTest::addColumn<bool>("notify");
    QTest::addRow("looking at it") << true << true << "online"
                                   << "hi" << false;
    QTest::addRow("other room") << true << false << "online"
                                << "hi" << true;
    QTest::addRow("inactive") << false << true << "online"
                              << "hi" << true;
    QTest::addRow("away") << false << true << "away"
                          << "hi" << true;
    QTest::addRow("busy") << false << true << "busy"
                          << "hi" << false;
    QTest::addRow("busy, mentioned") << false << true << "busy"
                                     << "hey @ana look" << true;
    QTest::addRow("busy, name in text") << false << true << "busy"
                                        << "Ana: look" << true;
    QTest::addRow("busy, part of a word") << false << true << "busy"
                                          << "banana" << false;
}

void TestMainWindow::notificationRules()
{
    QFETCH(bool, active);
    QFETCH(bool, shown);
    QFETCH(QString, status);
    QFETCH(QString, body);
    QFETCH(bool, notify);
    Ui::Notifier::Situation situation { active, shown, status, QStringLiteral("Ana"), body };
    QCOMPARE(Ui::Notifier::shouldNotify(situation), notify);
}

void TestMainWindow::roomNamesFromTitles()
{
    QCOMPARE(Ui::CreateRoomDialog::nameFromTitle(QStringLiteral("Design Review!")),
             QStringLiteral("design-review"));
    QCOMPARE(Ui::CreateRoomDialog::nameFromTitle(QStringLiteral("  Café  2  ")),
             QStringLiteral("cafe-2"));
    QVERIFY(Ui::CreateRoomDialog::isValidName(QStringLiteral("a-b_c1")));
    QVERIFY(!Ui::CreateRoomDialog::isValidName(QStringLiteral("-a")));
    QVERIFY(!Ui::CreateRoomDialog::isValidName(QString(41, QLatin1Char('a'))));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
