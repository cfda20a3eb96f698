#pragma once

#include "client/hubbrowser.h"
#include "client/reachabilityprobe.h"
#include "ui/appsettings.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QVBoxLayout;

namespace Parley::Ui {

// What the chat area shows without a hub: a greeting, the hubs already running on the LAN (name,
// people, rooms, lock) and the hubs joined before (whether they answer now, when last seen),
// each with Join, and hosting a hub on this computer or joining one by address. While shown it
// listens for hub beacons (HubBrowser, in the app's discovery mode) and checks whether the
// remembered hubs answer (a TCP connect to their remembered addresses only).
// Owned by MainWindow; GUI thread.
class WelcomePane : public QWidget
{
    Q_OBJECT
public:
    explicit WelcomePane(QWidget *parent = nullptr);

    void setNick(const QString &nick);
    // Off: no list, only hosting and joining by address. Listens while the pane is shown.
    void setDiscovery(Client::DiscoveryMode mode);
    QList<Client::DiscoveredHub> discoveredHubs() const { return m_shown; }
    // Hubs joined before, newest first; those also discovered are listed once, as discovered.
    void setRememberedHubs(const QList<RecentHub> &hubs);
    // What this app verified: a hub on the LAN that names a verified one but does not match it
    // is shown as unverified (Client::judgeBeacon()).
    void setTrustRecords(const Client::TrustRecords &records);
    Client::ReachabilityProbe *probe() { return &m_probe; }
    Client::HubBrowser *browser() { return &m_browser; }

signals:
    void hostRequested();
    void joinRequested(); // by address (the join dialog)
    void discoveredJoinRequested(const Parley::Client::DiscoveredHub &hub);
    void rememberedJoinRequested(const QUrl &mountUrl);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void refresh();
    QWidget *hubRow(const Client::DiscoveredHub &hub);
    QWidget *rememberedRow(const RecentHub &hub);
    void refreshRemembered();
    void checkRemembered();

    QLabel *m_greeting;
    QLabel *m_status;
    QWidget *m_list;
    QVBoxLayout *m_listLayout;
    QLabel *m_rememberedTitle;
    QWidget *m_remembered;
    QVBoxLayout *m_rememberedLayout;
    QList<RecentHub> m_recent;
    Client::TrustRecords m_trust;
    Client::ReachabilityProbe m_probe;
    QPushButton *m_host;
    QPushButton *m_join;
    Client::HubBrowser m_browser;
    Client::DiscoveryMode m_mode = Client::DiscoveryMode::Off;
    QList<Client::DiscoveredHub> m_shown;
};

} // namespace Parley::Ui
