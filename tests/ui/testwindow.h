// What the desktop-window tests (tst_mainwindow, tst_hubtrust) set up alike: settings kept in a
// temporary directory for the whole test program (never the user's), and a shown main window on
// a Workspace with discovery off, for a user called Tester.
#pragma once

#include "ui/appsettings.h"
#include "ui/mainwindow.h"
#include "parley/workspace.h"

#include <QSettings>
#include <QStandardPaths>
#include <QString>

#include <memory>

namespace Parley::Testing {

inline void keepSettingsIn(const QString &dir)
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir);
}

struct TestWindow
{
    std::unique_ptr<Ui::AppSettings> settings;
    std::unique_ptr<App::Workspace> workspace;
    std::unique_ptr<Ui::MainWindow> window; // shown; wait for it with qWaitForWindowExposed
};

inline TestWindow openTestWindow()
{
    TestWindow made;
    made.settings = std::make_unique<Ui::AppSettings>();
    made.settings->setNick(QStringLiteral("Tester"));
    made.workspace = std::make_unique<App::Workspace>(
        made.settings.get(), App::WorkspaceOptions { {}, Client::DiscoveryMode::Off });
    made.window = std::make_unique<Ui::MainWindow>(made.workspace.get(), made.settings.get());
    made.window->show();
    return made;
}

} // namespace Parley::Testing
