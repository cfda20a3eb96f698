#include "ui/launcher.h"

#include "client/chatsession.h"
#include "ui/appsettings.h"
#include "ui/hubaddress.h"
#include "ui/logging.h"
#include "ui/mainwindow.h"
#include "ui/roomnavigator.h"
#include "ui/workspace.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QTimer>

namespace Parley::Ui {

Launcher::Launcher(AppSettings *settings, Workspace *workspace, MainWindow *window, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_workspace(workspace)
    , m_window(window)
{
}

bool Launcher::start(const LaunchOptions &options, bool firstStart, QString *error)
{
    bool ok = true;
    if (options.hostName) {
        ok = host(*options.hostName, options.port, error);
    } else if (options.joinUrl.isValid()) {
        // --trust is the user's explicit word: it replaces whatever was trusted before.
        if (!options.trustFingerprint.isEmpty())
            m_settings->setPinnedFingerprint(hubAddressText(options.joinUrl), options.trustFingerprint);
        m_workspace->join(options.joinUrl);
    } else if (firstStart || m_settings->lastSession() == QLatin1String("host")) {
        // The app is useful at once: a hub on this computer others can join.
        const HostPreferences preferences = m_settings->hostPreferences();
        const QString name = preferences.name.isEmpty()
            ? QObject::tr("%1's hub").arg(m_settings->nick())
            : preferences.name;
        ok = host(name, std::nullopt, error);
    } else if (const QUrl last(m_settings->lastSession()); last.isValid() && !last.isEmpty()) {
        m_workspace->join(last);
    }
    if (!options.screenshotFile.isEmpty())
        screenshotWhenReady(options.screenshotFile);
    return ok;
}

bool Launcher::host(const QString &name, std::optional<quint16> port, QString *error)
{
    const HostPreferences preferences = m_settings->hostPreferences();
    HostOptions options;
    options.name = name;
    options.port = port.value_or(preferences.port);
    options.announce = preferences.announce;
    if (m_workspace->host(options, error))
        return true;
    if (port)
        return false; // the user asked for that port
    qCInfo(lcUi) << "port" << options.port << "is taken, hosting on any free port";
    options.port = 0;
    return m_workspace->host(options, error);
}

void Launcher::screenshotWhenReady(const QString &file)
{
    // Polls until the session is connected and a room is shown (or 10 s passed), then lets the
    // views settle for a moment, saves and quits. A tool for docs, not a test.
    auto *timer = new QTimer(this);
    const QDeadlineTimer deadline(10'000);
    connect(timer, &QTimer::timeout, this, [this, timer, deadline, file] {
        const Client::ChatSession *session = m_workspace->session();
        const bool ready = session
            && session->connectionState() == Client::ChatSession::ConnectionState::Connected
            && !m_window->navigator()->currentTopic().isEmpty();
        if (!ready && !deadline.hasExpired())
            return;
        timer->stop();
        QTimer::singleShot(400, this, [this, file] {
            const bool saved = m_window->grab().save(file);
            qCInfo(lcUi) << (saved ? "saved screenshot" : "could not save screenshot") << file;
            QCoreApplication::exit(saved ? 0 : 1);
        });
    });
    timer->start(50);
}

} // namespace Parley::Ui
