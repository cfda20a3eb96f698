#pragma once

#include "client/invitelink.h"
#include "ui/hubcontrol.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QToolButton;
class QVBoxLayout;

namespace Parley::Client {
class ChatSession;
} // namespace Parley::Client

namespace Parley::Ui {

// The top of the sidebar: the hub's name and, while this app hosts it, the addresses others
// type to join (one per LAN interface, each with a copy button) and a stop button.
// Owned by MainWindow; GUI thread.
class HubHeader : public QWidget
{
    Q_OBJECT
public:
    explicit HubHeader(QWidget *parent = nullptr);

    void setSession(Client::ChatSession *session);
    // What to show while the session's hub is the one this app hosts (its name, certificate
    // and addresses); std::nullopt for a hub joined elsewhere.
    void setHosted(const std::optional<HostedHub> &hosted);
    QStringList shownAddresses() const { return m_addresses; }
    // While hosting: the invite links to give, one per address others can use (the likeliest
    // first), and last the one for this computer; with the room set by setInviteRoom().
    QList<Client::InviteLink> inviteLinks() const;
    void setInviteRoom(const QString &room) { m_inviteRoom = room; }
    QToolButton *inviteButton() const { return m_invite; }
    // "Safety code 3F2A-…" (the certificate's, to compare with the host), or "Not encrypted".
    QString safetyText() const;

signals:
    void stopHostingRequested();
    void addressCopied(const QString &address);
    void inviteLinkCopied(const QString &link);
    void qrCodeRequested(const QList<Parley::Client::InviteLink> &links);

private:
    void refresh();
    void rebuildAddresses();
    void fillInviteMenu();

    QPointer<Client::ChatSession> m_session;
    std::optional<HostedHub> m_hosted;
    QLabel *m_name;
    QLabel *m_subtitle;
    QLabel *m_safety;
    QToolButton *m_stop;
    QToolButton *m_invite;
    QString m_inviteRoom;
    QWidget *m_addressBox;
    QVBoxLayout *m_addressLayout;
    QStringList m_addresses;
};

} // namespace Parley::Ui
