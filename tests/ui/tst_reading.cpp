// Reading a room as a daily user does (issues 19 and 20): the window starts as chosen, each room
// keeps the place the user was reading across a switch and a restart, and a busy room keeps a
// window of rows around what is read. The hub is a parley-hub process (WindowFixture).

#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/messagemodel.h"
#include "ui/appsettings.h"
#include "windowfixture.h"

#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

using namespace Parley;
using Client::ChatSession;
using Testing::otherUser;

class TestReading : public QObject, protected Testing::WindowFixture
{
    Q_OBJECT

private slots:
    void initTestCase() { setUpCase(); }
    void init() { setUp(); }
    void cleanup() { tearDown(); }

    void startsMinimisedWhenChosen();
    void theReadingPlaceSurvivesSwitchingRoomsAndARestart();
    void aBusyRoomKeepsAWindowOfRows();
};

void TestReading::startsMinimisedWhenChosen()
{
    Ui::MainWindow plain(m_workspace.get(), m_settings.get());
    plain.showAtStart();
    QVERIFY(plain.isVisible() && !plain.isMinimized());

    Ui::Preferences preferences = m_settings->preferences();
    preferences.startMinimised = true;
    m_settings->setPreferences(preferences);
    Ui::MainWindow minimised(m_workspace.get(), m_settings.get());
    minimised.showAtStart();
    QVERIFY(minimised.isMinimized());
}

void TestReading::theReadingPlaceSurvivesSwitchingRoomsAndARestart()
{
    ChatSession *session = m_workspace->session();
    QSignalSpy created(session, &ChatSession::roomCreated);
    session->createRoom(QStringLiteral("side"), QStringLiteral("Side room"), {});
    QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, hubTimeoutMs);
    auto gil = otherUser(m_hub->url(), QStringLiteral("gil-000001"), QStringLiteral("Gil"));
    gil->openTopic(Ui::RoomNavigator::defaultTopic());
    QTRY_VERIFY_WITH_TIMEOUT(gil->isJoined(Ui::RoomNavigator::defaultTopic()), hubTimeoutMs);
    for (int i = 1; i <= 80; ++i)
        gil->conversation(Ui::RoomNavigator::defaultTopic())
            ->send(QStringLiteral("line %1 of a long morning").arg(i));
    QTRY_COMPARE_WITH_TIMEOUT(shownMessages()->rowCount(), 80, hubTimeoutMs);

    // The user scrolls up to read; the place is a message and how far into it.
    Ui::MessageView *view = m_window->messageView();
    QScrollBar *bar = view->verticalScrollBar();
    QTRY_VERIFY(bar->maximum() > 1000);
    bar->setValue(bar->maximum() / 3);
    QVERIFY(!view->isAtBottom());
    const Ui::MessageView::ScrollPosition place = view->scrollPosition();
    QVERIFY(place.topId > 0);

    // Another room and back: the same place, not the bottom.
    m_window->navigator()->activate(QStringLiteral("room:side"));
    QVERIFY(waitForRoom(QStringLiteral("room:side")));
    m_window->navigator()->activate(Ui::RoomNavigator::defaultTopic());
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
    QTRY_COMPARE(view->scrollPosition().topId, place.topId);
    QCOMPARE(view->scrollPosition().offset, place.offset);

    // Quit and start again: the room comes back at that place (older than the page the join
    // loads, so the view asks for the page before).
    QVERIFY(m_window->close());
    m_window.reset();
    m_workspace.reset();
    m_settings.reset();
    Testing::TestWindow made = Testing::openTestWindow();
    m_settings = std::move(made.settings);
    m_workspace = std::move(made.workspace);
    m_window = std::move(made.window);
    m_workspace->join(m_hub->url());
    QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->messageView()->scrollPosition().topId, place.topId,
                              hubTimeoutMs);
    QVERIFY(!m_window->messageView()->isAtBottom());
}

void TestReading::aBusyRoomKeepsAWindowOfRows()
{
    auto gil = otherUser(m_hub->url(), QStringLiteral("gil-000001"), QStringLiteral("Gil"));
    gil->openTopic(Ui::RoomNavigator::defaultTopic());
    QTRY_VERIFY_WITH_TIMEOUT(gil->isJoined(Ui::RoomNavigator::defaultTopic()), hubTimeoutMs);
    Client::Conversation *general = gil->conversation(Ui::RoomNavigator::defaultTopic());
    const int limit = Client::Conversation::rowLimit;
    for (int i = 1; i <= limit + 100; ++i)
        general->send(QStringLiteral("busy %1").arg(i));
    // Read at the bottom: the newest are all there, the oldest went (they are history now).
    const auto newest = [this] {
        const Client::MessageModel *shown = shownMessages();
        return shown && shown->rowCount() > 0 ? shown->at(shown->rowCount() - 1).body : QString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(newest(), QStringLiteral("busy %1").arg(limit + 100), hubTimeoutMs);
    QVERIFY(shownMessages()->rowCount() <= limit + limit / 4);
    QVERIFY(shownMessages()->hasMore());

    // Scrolled up: older pages come back, and nothing goes while the user reads up there.
    Ui::MessageView *view = m_window->messageView();
    view->verticalScrollBar()->setValue(0);
    QTRY_VERIFY_WITH_TIMEOUT(shownMessages()->rowCount() > limit + limit / 4, hubTimeoutMs);
    const int held = shownMessages()->rowCount();
    const qint64 oldest = shownMessages()->oldestId();
    for (int i = 1; i <= 60; ++i)
        general->send(QStringLiteral("more %1").arg(i));
    QTRY_COMPARE_WITH_TIMEOUT(shownMessages()->rowCount(), held + 60, hubTimeoutMs);
    QVERIFY(shownMessages()->oldestId() <= oldest);
    // Back at the bottom, the window moves on again with the next message.
    view->scrollToBottom();
    general->send(QStringLiteral("last"));
    QTRY_VERIFY_WITH_TIMEOUT(shownMessages()->rowCount() <= limit + limit / 4, hubTimeoutMs);
}

QTEST_MAIN(TestReading)
#include "tst_reading.moc"
