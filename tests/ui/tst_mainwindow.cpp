// The desktop app's window against a real hub on 127.0.0.1 (a parley-hub process): sending and
// editing from the composer, the people panel following presence by rows, unread counts and jump
// bars, plain-text bodies, the connection banner and the offline state across a hub restart,
// rooms made, left and locked, and the rules behind links, addresses and notifications. How a
// hub is reached (discovery, invite links, wrong addresses) is in tst_reachinghubs.

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
#include "ui/elidedlabel.h"
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
#include "windowfixture.h"

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

using Testing::otherUser;

class TestMainWindow : public QObject, protected Testing::WindowFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { setUpCase(); }
    void init() { setUp(); }
    void cleanup() { tearDown(); }

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
    void aDmFollowsTheOtherPersonsNewNick();
    void bannerExplainsRefusalAndHubPasswordFixesIt();
    void autoAwayAfterIdleAndBackOnInput();
    void jumpBarsHelpCatchingUp();
    void leavingARoomShowsTheOneBefore();
    void upEditsTheLastMessageInPlace();
    void aRefusedRoomIsExplainedAndTheInputKept();

};

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

void TestMainWindow::aDmFollowsTheOtherPersonsNewNick()
{
    // Dana changes her nick (she connects again under it): the dm's title, the header and the
    // composer's placeholder all name her by the new one.
    ChatSession *session = m_workspace->session();
    auto dana = otherUser(m_hub->url(), QStringLiteral("dana-00001"), QStringLiteral("Dana"));
    const QString danaId = dana->identity().userId();
    QTRY_VERIFY_WITH_TIMEOUT(session->hubPresence()->rowOfUser(danaId) >= 0, hubTimeoutMs);
    const QString dm = session->dmTopicWith(danaId);
    m_window->navigator()->activate(dm);
    QVERIFY(waitForRoom(dm));
    QCOMPARE(m_window->composer()->placeholderText(), QStringLiteral("Message Dana"));

    dana.reset();
    auto renamed = otherUser(m_hub->url(), QStringLiteral("dana-00001"), QStringLiteral("Dana K"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->composer()->placeholderText(),
                              QStringLiteral("Message Dana K"), hubTimeoutMs);
    QCOMPARE(session->rooms()->entry(dm).title, QStringLiteral("Dana K"));
    auto *title = m_window->findChild<Ui::ElidedLabel *>(QStringLiteral("roomTitle"));
    QVERIFY(title);
    QCOMPARE(title->text(), QStringLiteral("Dana K"));
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

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
