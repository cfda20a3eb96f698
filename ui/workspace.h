#pragma once

#include "client/hubbrowser.h"
#include "ui/hostcontroller.h"

#include <QObject>
#include <QSslCertificate>
#include <QUrl>

#include <memory>

namespace Parley::Client {
class ChatSession;
}

namespace Parley::Ui {

class AppSettings;

// Where the app's data lives and how it discovers hubs (from the command line).
struct WorkspaceOptions
{
    QString dataDir; // the embedded hub keeps hub.sqlite3 in dataDir/hub; empty: in memory
    Client::DiscoveryMode discovery = Client::DiscoveryMode::Lan;
};

// The app's one connection to a hub and, when hosting, the embedded hub itself. Joining another
// hub replaces the session; hosting starts the hub and joins it over 127.0.0.1. MainWindow
// rewires its widgets on sessionChanged(). Owned by main() or a test; GUI thread.
class Workspace : public QObject
{
    Q_OBJECT
public:
    Workspace(AppSettings *settings, WorkspaceOptions options, QObject *parent = nullptr);
    ~Workspace() override; // stops hosting (clients get 1001) before the session goes

    const WorkspaceOptions &options() const { return m_options; }
    Client::ChatSession *session() const { return m_session.get(); }
    HostController *hostController() const { return m_host.get(); }
    bool isHosting() const;
    QUrl hubUrl() const { return m_url; }

    // Starts the embedded hub and joins it; false with *error if the hub cannot start.
    bool host(const HostOptions &options, QString *error);
    // Joins a hub (replacing the current session, and stopping a hosted hub).
    void join(const QUrl &mountUrl, const QString &hubPassword = {});
    // Reconnects to the same hub with the current settings (e.g. after a nick change).
    void rejoin(const QString &hubPassword = {});
    // Leaves the hub and stops hosting.
    void leave();

signals:
    // After every change of session (nullptr after leave()); the old one is deleted after this.
    void sessionChanged(Parley::Client::ChatSession *session);
    void hostingChanged(bool hosting);

private:
    void replaceSession(const QUrl &mountUrl, const QString &hubPassword);
    void onConnectionStateChanged();

    AppSettings *m_settings;
    WorkspaceOptions m_options;
    std::unique_ptr<HostController> m_host;
    std::unique_ptr<Client::ChatSession> m_session;
    QUrl m_url;
    QList<QSslCertificate> m_trusted; // the hosted hub's, when it serves wss://
    QString m_password;
};

} // namespace Parley::Ui
