#pragma once

#include "client/hubbrowser.h"
#include "client/hubtrust.h"

#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace Parley::Client {
class ChatSession;
class HubListModel;
struct InviteLink;
} // namespace Parley::Client

namespace Parley::Ui {

// What the host dialog asks for.
struct HostOptions
{
    QString name;
    quint16 port = 4000; // 0: any free port
    QString password; // empty: none
    bool announce = true; // announce on the LAN (with the app's discovery mode)
    // wss:// (the default): with these PEM files when both are set, else with the hub's own
    // certificate, made on the first start and kept with its data. false: plain ws://.
    bool tls = true;
    QString tlsCertificateFile;
    QString tlsKeyFile;
};

// The hub this app hosts, as the window shows it.
struct HostedHub
{
    QString name;
    QString fingerprint; // of the served certificate; empty for ws://
    QStringList lanAddresses; // "ADDRESS:PORT" others type, the likeliest first
    QUrl localUrl; // how this computer reaches it (127.0.0.1)
    bool announced = false; // announced on the LAN (in the app's discovery mode)
};

// What the window asks of the app: the hubs it is on (one ChatSession each, several at once),
// which one is shown, and hosting, joining and leaving. Implemented by App::Workspace
// (app/parley), which also runs the embedded hub: the widgets never see the hub library.
// GUI thread.
class HubControl : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // The sessions in rail order, with the one shown (hubs()->current()).
    virtual Client::HubListModel *hubs() const = 0;
    Client::ChatSession *session() const; // the hub shown; nullptr on none
    void setCurrent(Client::ChatSession *session);
    virtual Client::DiscoveryMode discovery() const = 0;

    // Starts the embedded hub and joins it (other hubs stay); false with *error if it cannot
    // start. One hub is hosted at a time: hosting again replaces the hosted one.
    virtual bool host(const HostOptions &options, QString *error) = 0;
    virtual bool isHosting() const = 0;
    virtual HostedHub hosted() const = 0; // empty when not hosting
    // Closes every client of the hosted hub with 1001 and leaves it; other hubs stay.
    virtual void stopHosting() = 0;

    // Joins a hub beside the others and shows it (a hub already joined is only shown). Never
    // plain ws:// to an address reached over TLS before, unless the user chose it
    // (allowUnencrypted()): wss:// with the certificate trusted there instead.
    virtual void join(const QUrl &mountUrl, const QString &hubPassword = {}) = 0;
    // Joins a hub heard on the LAN: a new one trusting the certificate its beacon announced; one
    // whose beacon does not match what this app verified (judge()) asking first, as any hub not
    // trusted yet (its announced certificate is not pinned).
    virtual void joinDiscovered(const Client::DiscoveredHub &hub, const QString &hubPassword = {})
        = 0;
    // How far a hub heard on the LAN may be believed, from what this app verified.
    virtual Client::BeaconTrust judge(const Client::DiscoveredHub &hub) const = 0;
    // The user chose, in a warning, to reach the session's hub without encryption (it was
    // refused with "not_encrypted"), or to join a plain hub that says it is one known at another
    // address ("unverified_hub"): remembered for its address, and connected over ws:// (without
    // the hub password: it is typed again if the hub asks).
    virtual void allowUnencrypted(Client::ChatSession *session) = 0;
    // Joins the hub of an invite link (pinning its certificate unless another one is already
    // trusted for that address: then the user is asked as for any changed certificate) and
    // shows it with the link's room; a hub already joined is shown with the room.
    virtual void openInvite(const Client::InviteLink &link) = 0;
    // Connects to the same hub again, e.g. with a password; an empty password keeps the last.
    virtual void rejoin(Client::ChatSession *session, const QString &hubPassword = {}) = 0;
    // Every hub again with the current identity and nick (after a change of either).
    virtual void rejoinAll() = 0;
    // Leaves one hub (stopping it if it is the hosted one); the others stay.
    virtual void leave(Client::ChatSession *session) = 0;
    // The user trusts this certificate for the session's hub: kept, and connected again.
    virtual void trustCertificate(Client::ChatSession *session, const QString &fingerprint) = 0;
    // The user's status on every hub (and on hubs joined later).
    virtual void setStatus(const QString &status) = 0;
    // Leaves a room or dm of the session (its messages stay on the hub); a room password that
    // was kept for it is forgotten.
    virtual void leaveRoom(Client::ChatSession *session, const QString &topic) = 0;

signals:
    void sessionAdded(Parley::Client::ChatSession *session);
    // The session is being left; it is deleted after this.
    void sessionRemoved(Parley::Client::ChatSession *session);
    // The hub shown changed (nullptr: none is left).
    void currentChanged(Parley::Client::ChatSession *session);
    void hostingChanged(bool hosting);
    // Show this room of this (shown) hub: an invite link to a hub the app is already on.
    void topicRequested(Parley::Client::ChatSession *session, const QString &topic);
    // The hub that answered is not the one the invite named (`expected` hub id).
    void inviteMismatch(Parley::Client::ChatSession *session, const QString &expected);
    // The session's hub says it is a hub this app verified with another certificate (`known`:
    // that hub's name as remembered). It is not that hub, or its host set it up anew: nothing
    // kept for that hub is given to it.
    void hubClaimsAnother(Parley::Client::ChatSession *session, const QString &known);
    // The hub at `url` presented a certificate that is not the trusted one (`pinned` empty:
    // none was trusted yet). Nothing was sent to it; the session waits for trustCertificate().
    void certificateRejected(Parley::Client::ChatSession *session, const QUrl &url,
                             const QString &presented, const QString &pinned);
    // Hub and room passwords cannot be kept between runs (no secret store): what that means,
    // in words for the user. Said once.
    void passwordsNotKept(const QString &explanation);
};

} // namespace Parley::Ui
