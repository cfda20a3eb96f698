#pragma once

#include "ui/hubcontrol.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QToolButton;
class QVBoxLayout;

namespace Parley::Client {
class ChatSession;
}

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
    // "Safety code 3F2A-…" (the certificate's, to compare with the host), or "Not encrypted".
    QString safetyText() const;

signals:
    void stopHostingRequested();
    void addressCopied(const QString &address);

private:
    void refresh();
    void rebuildAddresses();

    QPointer<Client::ChatSession> m_session;
    std::optional<HostedHub> m_hosted;
    QLabel *m_name;
    QLabel *m_subtitle;
    QLabel *m_safety;
    QToolButton *m_stop;
    QWidget *m_addressBox;
    QVBoxLayout *m_addressLayout;
    QStringList m_addresses;
};

} // namespace Parley::Ui
