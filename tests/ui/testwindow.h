// What the desktop-window tests (tst_mainwindow, tst_hubtrust) set up alike: settings kept in a
// temporary directory for the whole test program (never the user's), and a shown main window on
// a Workspace (discovery off unless asked), for a user called Tester; and other users without
// a window.
#pragma once

#include "client/chatsession.h"
#include "parley/workspace.h"
#include "testkeys.h"
#include "ui/appsettings.h"
#include "ui/mainwindow.h"

#include <QSettings>
#include <QStandardPaths>
#include <QString>

#include <memory>

namespace Parley::Testing {

// The test windows keep passwords under this name: never the app's own entries.
inline const QString testSecretService = QStringLiteral("Parley tests");

inline void keepSettingsIn(const QString &dir)
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir);
}

// Forgets every setting AppSettings wrote (its organisation and application names, not the test
// program's), so the next test starts as a first visit.
inline void clearSettings()
{
    QSettings(QSettings::defaultFormat(), QSettings::UserScope, QStringLiteral("Parley"),
              QStringLiteral("parley"))
        .clear();
}

struct TestWindow
{
    std::unique_ptr<Ui::AppSettings> settings;
    std::unique_ptr<App::Workspace> workspace;
    std::unique_ptr<Ui::MainWindow> window; // shown; wait for it with qWaitForWindowExposed
};

// `hosting`: how the app hosts (App::makeHostController, which links the hub); none: it only joins.
inline TestWindow openTestWindow(Client::DiscoveryMode discovery = Client::DiscoveryMode::Off,
                                 std::unique_ptr<App::Hosting> hosting = {})
{
    TestWindow made;
    made.settings = std::make_unique<Ui::AppSettings>();
    made.settings->setNick(QStringLiteral("Tester"));
    made.workspace = std::make_unique<App::Workspace>(
        made.settings.get(), App::WorkspaceOptions { {}, discovery, testSecretService },
        std::move(hosting));
    made.window = std::make_unique<Ui::MainWindow>(made.workspace.get(), made.settings.get());
    made.window->show();
    return made;
}

// A second user on a hub, without any window (`pin`: the certificate of a wss:// hub).
inline std::unique_ptr<Client::ChatSession> otherUser(const QUrl &url, const QString &userId,
                                                      const QString &nick, const QString &pin = {})
{
    Client::Identity identity;
    identity.key = TestKeys::of(userId);
    identity.nick = nick;
    auto session = std::make_unique<Client::ChatSession>(identity);
    session->setPinnedFingerprint(pin);
    session->connectToHub(url);
    return session;
}

} // namespace Parley::Testing
