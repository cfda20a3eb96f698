#include "parley/launcher.h"

#include "client/chatsession.h"
#include "client/hubaddress.h"
#include "client/hublistmodel.h"
#include "parley/logging.h"
#include "parley/workspace.h"
#include "ui/appsettings.h"
#include "ui/mainwindow.h"
#include "ui/roomnavigator.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QTimer>

namespace Parley::App {

Launcher::Launcher(Ui::AppSettings *settings, Workspace *workspace, Ui::MainWindow *window,
                   QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_workspace(workspace)
    , m_window(window)
{
}

bool Launcher::start(const LaunchOptions &options, QString *error)
{
    bool ok = true;
    if (options.hostName || !options.joinUrls.isEmpty()) {
        if (options.hostName)
            ok = host(*options.hostName, options.port, error);
        for (qsizetype i = 0; i < options.joinUrls.size(); ++i) {
            const QUrl &url = options.joinUrls.at(i);
            // --trust is the user's explicit word: it replaces whatever was trusted before.
            if (i < options.trustFingerprints.size() && !options.trustFingerprints.at(i).isEmpty())
                m_settings->setPinnedFingerprint(Client::hubAddressText(url),
                                                 options.trustFingerprints.at(i));
            m_workspace->join(url);
        }
        Client::HubListModel *hubs = m_workspace->hubs();
        m_workspace->setCurrent(hubs->hosted() ? hubs->hosted() : hubs->sessionAt(0));
    } else {
        ok = restore(error);
    }
    if (!options.inviteLink.isEmpty())
        m_window->openInviteLink(options.inviteLink);
    if (!options.screenshotFile.isEmpty())
        screenshotWhenReady(options.screenshotFile);
    return ok;
}

bool Launcher::restore(QString *error)
{
    // On the first start nothing was joined: the welcome pane offers the hubs on the LAN.
    const QStringList hubs = m_settings->joinedHubs();
    bool ok = true;
    QString hostError;
    for (const QString &hub : hubs) {
        if (hub == Ui::AppSettings::hostedHubKey()) {
            const Ui::HostPreferences preferences = m_settings->hostPreferences();
            const QString name = preferences.name.isEmpty()
                ? QObject::tr("%1's hub").arg(m_settings->nick())
                : preferences.name;
            ok = host(name, std::nullopt, &hostError) && ok;
        } else if (const QUrl url(hub); url.isValid() && !url.isEmpty()) {
            m_workspace->join(url);
        }
    }
    const QString current = m_settings->currentHub();
    Client::HubListModel *model = m_workspace->hubs();
    Client::ChatSession *shown = current == Ui::AppSettings::hostedHubKey()
        ? model->hosted()
        : m_workspace->sessionFor(QUrl(current));
    if (shown)
        m_workspace->setCurrent(shown);
    if (!ok && error)
        *error = hostError;
    return ok;
}

bool Launcher::host(const QString &name, std::optional<quint16> port, QString *error)
{
    const Ui::HostPreferences preferences = m_settings->hostPreferences();
    Ui::HostOptions options;
    options.name = name;
    options.port = port.value_or(preferences.port);
    options.announce = preferences.announce;
    if (m_workspace->host(options, error))
        return true;
    if (port)
        return false; // the user asked for that port
    qCInfo(lcApp) << "port" << options.port << "is taken, hosting on any free port";
    options.port = 0;
    return m_workspace->host(options, error);
}

void Launcher::screenshotWhenReady(const QString &file)
{
    // Polls until every hub is connected and a room is shown (or 10 s passed), then lets the
    // views settle for a moment, saves and quits. A tool for docs, not a test.
    auto *timer = new QTimer(this);
    const QDeadlineTimer deadline(10'000);
    connect(timer, &QTimer::timeout, this, [this, timer, deadline, file] {
        const QList<Client::ChatSession *> sessions = m_workspace->hubs()->sessions();
        bool ready = !sessions.isEmpty() && !m_window->navigator()->currentTopic().isEmpty();
        for (const Client::ChatSession *session : sessions)
            ready = ready
                && session->connectionState() == Client::ChatSession::ConnectionState::Connected;
        if (!ready && !deadline.hasExpired())
            return;
        timer->stop();
        QTimer::singleShot(400, this, [this, file] {
            const bool saved = m_window->grab().save(file);
            qCInfo(lcApp) << (saved ? "saved screenshot" : "could not save screenshot") << file;
            QCoreApplication::exit(saved ? 0 : 1);
        });
    });
    timer->start(50);
}

} // namespace Parley::App
