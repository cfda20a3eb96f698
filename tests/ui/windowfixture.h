// What the window tests (tst_mainwindow, tst_reachinghubs) share: a hub of its own process
// (HubProcess, plain ws://, in memory) that a shown window joins before each test, settings in a
// temporary directory for the whole program, cleared between tests.
#pragma once

#include "client/chatsession.h"
#include "client/messagemodel.h"
#include "hubprocess.h"
#include "parley/workspace.h"
#include "testwindow.h"
#include "ui/composer.h"
#include "ui/mainwindow.h"
#include "ui/messageview.h"
#include "ui/roomnavigator.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace Parley::Testing {

class WindowFixture
{
protected:
    static constexpr int hubTimeoutMs = 10'000;

    // A hub of its own process; nullptr if it did not start.
    static std::unique_ptr<HubProcess> startHub(quint16 port = 0, bool announce = false,
                                                const QString &name = QStringLiteral("Test hub"),
                                                int presenceLimit = 0)
    {
        HubProcess::Options options;
        options.port = port;
        options.announce = announce;
        options.name = name;
        options.lobbyPresenceLimit = presenceLimit;
        options.presenceListed = presenceLimit;
        auto hub = std::make_unique<HubProcess>(options);
        return hub->start() ? std::move(hub) : nullptr;
    }

    void setUpCase()
    {
        QVERIFY(m_settingsDir.isValid());
        keepSettingsIn(m_settingsDir.path());
    }

    void setUp()
    {
        m_hub = startHub();
        QVERIFY(m_hub);
        TestWindow made = openTestWindow();
        m_settings = std::move(made.settings);
        m_workspace = std::move(made.workspace);
        m_window = std::move(made.window);
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_workspace->join(m_hub->url());
        QVERIFY(waitForRoom(Ui::RoomNavigator::defaultTopic()));
    }

    void tearDown()
    {
        m_window.reset();
        m_workspace.reset();
        m_settings.reset();
        m_hub.reset();
        clearSettings(); // every test starts as a first visit
    }

    Client::MessageModel *shownMessages() const { return m_window->messageView()->messages(); }

    // The room is joined and shown, with its messages in the view and the composer on it.
    bool waitForRoom(const QString &topic)
    {
        return QTest::qWaitFor(
            [&] {
                const Client::ChatSession *session = m_workspace->session();
                return session && session->isJoined(topic)
                    && m_window->navigator()->currentTopic() == topic
                    && m_window->composer()->topic() == topic && shownMessages();
            },
            hubTimeoutMs);
    }

    QTemporaryDir m_settingsDir;
    std::unique_ptr<HubProcess> m_hub;
    std::unique_ptr<Ui::AppSettings> m_settings;
    std::unique_ptr<App::Workspace> m_workspace;
    std::unique_ptr<Ui::MainWindow> m_window;
};

} // namespace Parley::Testing
