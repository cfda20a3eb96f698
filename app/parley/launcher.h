#pragma once

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace Parley::Ui {
class AppSettings;
class MainWindow;
} // namespace Parley::Ui

namespace Parley::App {

class Workspace;

// What the command line asks for at start.
struct LaunchOptions
{
    std::optional<QString> hostName; // --host NAME
    std::optional<quint16> port; // --port N (with --host)
    QList<QUrl> joinUrls; // --join ws://HOST:PORT/socket, each time it is given
    QStringList trustFingerprints; // --trust: the certificate of the --join at the same place
    QString inviteLink; // parley://… given as the argument (checked when opened)
    QString screenshotFile; // --screenshot FILE
};

// Starts what the app does first: the hubs of the command line (--host and any number of
// --join, the hosted hub shown first), else the hubs the last run was on (hosting again if it
// hosted), else nothing: the welcome pane lists the hubs on the LAN and offers hosting. An
// invite link given as the argument is opened on top of that. With a
// screenshot file it saves the window once a room is shown and quits. Owned by main(); GUI thread.
class Launcher : public QObject
{
    Q_OBJECT
public:
    Launcher(Ui::AppSettings *settings, Workspace *workspace, Ui::MainWindow *window,
             QObject *parent = nullptr);

    // false with *error when the hub asked for could not start (the other hubs still start).
    bool start(const LaunchOptions &options, QString *error);

private:
    bool host(const QString &name, std::optional<quint16> port, QString *error);
    bool restore(QString *error);
    void screenshotWhenReady(const QString &file);

    Ui::AppSettings *m_settings;
    Workspace *m_workspace;
    Ui::MainWindow *m_window;
};

} // namespace Parley::App
