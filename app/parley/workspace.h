#pragma once

#include "parley/hosting.h"
#include "ui/hubcontrol.h"

#include <QUrl>

#include <memory>
#include <vector>

namespace Parley::Ui {
class AppSettings;
}

namespace Parley::App {

class SecretStore;

// Where the app's data lives and how it discovers hubs (from the command line).
struct WorkspaceOptions
{
    QString dataDir; // the embedded hub keeps hub.sqlite3 in dataDir/hub; empty: in memory
    Client::DiscoveryMode discovery = Client::DiscoveryMode::Lan;
    // Hub and room passwords are kept in the desktop's secret store under this name.
    QString secretService = QStringLiteral("Parley");
};

// The hubs the app is on, one ChatSession each, and the embedded hub when it hosts one (run by
// a Hosting, joined over 127.0.0.1 like any other). Joining, leaving or stopping one hub never
// touches the others. Keeps the set of joined hubs and the one shown in AppSettings for the next
// start, pins certificates (Ui::AppSettings) and remembers hubs that let us in. Owned by main() or
// a test; GUI thread.
class Workspace : public Ui::HubControl
{
    Q_OBJECT
public:
    // `hosting`: how to run a hub here (App::makeHostController(), parley_host); without one the
    // app only joins hubs, and host() says so.
    Workspace(Ui::AppSettings *settings, WorkspaceOptions options,
              std::unique_ptr<Hosting> hosting = {}, QObject *parent = nullptr);
    ~Workspace() override; // stops hosting (clients get 1001) and leaves every hub

    const WorkspaceOptions &options() const { return m_options; }
    Hosting *hostController() const { return m_host.get(); } // nullptr: cannot host

    Client::HubListModel *hubs() const override { return m_hubs.get(); }
    Client::DiscoveryMode discovery() const override { return m_options.discovery; }
    bool host(const Ui::HostOptions &options, QString *error) override;
    bool isHosting() const override;
    Ui::HostedHub hosted() const override;
    void stopHosting() override;
    void join(const QUrl &mountUrl, const QString &hubPassword = {}) override;
    void joinDiscovered(const Client::DiscoveredHub &hub, const QString &hubPassword = {}) override;
    Client::BeaconTrust judge(const Client::DiscoveredHub &hub) const override;
    void allowUnencrypted(Client::ChatSession *session) override;
    void openInvite(const Client::InviteLink &link) override;
    void rejoin(Client::ChatSession *session, const QString &hubPassword = {}) override;
    void rejoinAll() override;
    void leave(Client::ChatSession *session) override;
    void trustCertificate(Client::ChatSession *session, const QString &fingerprint) override;
    void setStatus(const QString &status) override;
    void leaveRoom(Client::ChatSession *session, const QString &topic) override;

    // The same, for the hub shown (tests and the launcher).
    void leave() { leave(session()); }
    void trustCertificate(const QString &fingerprint) { trustCertificate(session(), fingerprint); }
    QUrl hubUrl() const; // of the hub shown
    QString
    pinnedFingerprint() const; // the certificate the hub shown must present; empty for ws://
    Client::ChatSession *sessionFor(const QUrl &mountUrl) const;

private:
    struct Joined
    {
        std::unique_ptr<Client::ChatSession> session;
        QUrl url;
        QString pin; // the certificate the hub must present
        QString password;
        bool reopened = false; // the rooms of the last visit were opened again
        QString expectedHubId; // from an invite link: the hub must say it is this one
        QString requestedTopic; // from an invite link: shown first once the hub answers
        bool triedKeptPassword = false; // after a refusal, the kept hub password was tried
    };
    Joined *find(const Client::ChatSession *session);
    const Joined *find(const Client::ChatSession *session) const;
    std::unique_ptr<Client::ChatSession> makeSession(const Joined &joined);
    void add(Joined joined, bool hosted);
    void drop(Client::ChatSession *session);
    void rememberIfConnected(Client::ChatSession *session);
    void reopenRooms(Client::ChatSession *session);
    void keepPasswords(Client::ChatSession *session);
    void onRefused(Client::ChatSession *session);
    void saveReadPositions(const Client::ChatSession *session);
    void checkInvite(Client::ChatSession *session);
    // After the lobby reply: records which hub this certificate verified, or notices a hub
    // that claims the id of one verified with another certificate.
    void verifyHub(Client::ChatSession *session);
    // Passwords kept by an older version under other keys, filed under trust keys.
    void renameKeptSecrets();
    // `url`, but wss:// if it is plain ws:// to an address reached over TLS (and not allowed
    // plain by the user).
    QUrl withoutDowngrade(const QUrl &url) const;
    // The key of what is kept for the session's hub; empty while unknown.
    static QString keyOf(const Client::ChatSession *session);
    void saveHubs();
    QString savedKey(const Client::ChatSession *session) const;

    Ui::AppSettings *m_settings;
    WorkspaceOptions m_options;
    std::unique_ptr<Client::HubListModel> m_hubs;
    std::unique_ptr<Hosting> m_host;
    std::vector<Joined> m_joined;
    SecretStore *m_secrets;
    QString m_status;
    bool m_saving = true;
};

} // namespace Parley::App
