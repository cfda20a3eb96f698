#pragma once

#include <QObject>
#include <QString>
#include <QUrl>

#include <optional>

namespace Parley::Ui {

class AppSettings;
class MainWindow;
class Workspace;

// What the command line asks for at start.
struct LaunchOptions
{
    std::optional<QString> hostName; // --host NAME
    std::optional<quint16> port; // --port N (with --host)
    QUrl joinUrl; // --join ws://HOST:PORT/socket
    QString trustFingerprint; // --trust: the certificate of joinUrl to pin
    QString screenshotFile; // --screenshot FILE
};

// Starts what the app does first: host (--host; on first start a local hub by default; again if
// the last run hosted), join (--join, or the hub of the last run), or nothing (the welcome
// pane). With a screenshot file it saves the window once the room is shown and quits.
// Owned by main(); GUI thread.
class Launcher : public QObject
{
    Q_OBJECT
public:
    Launcher(AppSettings *settings, Workspace *workspace, MainWindow *window,
             QObject *parent = nullptr);

    // false with *error when the hub asked for could not start.
    bool start(const LaunchOptions &options, bool firstStart, QString *error);

private:
    bool host(const QString &name, std::optional<quint16> port, QString *error);
    void screenshotWhenReady(const QString &file);

    AppSettings *m_settings;
    Workspace *m_workspace;
    MainWindow *m_window;
};

} // namespace Parley::Ui
