#pragma once

#include "client/hubbrowser.h"
#include "ui/hostcontroller.h"

#include <QObject>
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
    // Joins a hub (replacing the current session, and stopping a hosted hub). `announced`: the
    // fingerprint the hub's beacon announced, pinned if nothing is pinned for it yet (a pin the
    // user already has always wins over a beacon).
    void join(const QUrl &mountUrl, const QString &hubPassword = {}, const QString &announced = {});
    // Reconnects to the same hub with the current settings (e.g. after a nick change).
    void rejoin(const QString &hubPassword = {});
    // Leaves the hub and stops hosting.
    void leave();
    // The certificate the current hub must present (fingerprint), empty for ws://.
    QString pinnedFingerprint() const { return m_pin; }
    // The user trusts this certificate for the current hub: kept in the settings, and the
    // session connects again at once.
    void trustCertificate(const QString &fingerprint);

signals:
    // After every change of session (nullptr after leave()); the old one is deleted after this.
    void sessionChanged(Parley::Client::ChatSession *session);
    void hostingChanged(bool hosting);
    // The hub at `url` presented a certificate that is not the trusted one (`pinned` empty: none
    // was trusted yet). Nothing was sent to it; the session waits for trustCertificate().
    void certificateRejected(const QUrl &url, const QString &presented, const QString &pinned);

private:
    void replaceSession(const QUrl &mountUrl, const QString &hubPassword);
    void onConnectionStateChanged();

    AppSettings *m_settings;
    WorkspaceOptions m_options;
    std::unique_ptr<HostController> m_host;
    std::unique_ptr<Client::ChatSession> m_session;
    QUrl m_url;
    QString m_pin; // the certificate the current hub must present
    QString m_password;
};

} // namespace Parley::Ui
