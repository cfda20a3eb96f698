#pragma once

#include "client/hubbrowser.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QVBoxLayout;

namespace Parley::Ui {

// What the chat area shows without a hub: a greeting, the hubs already running on the LAN (name,
// people, rooms, lock) each with Join, and hosting a hub on this computer or joining one by
// address. While shown it listens for hub beacons (HubBrowser, in the app's discovery mode).
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
    Client::HubBrowser *browser() { return &m_browser; }

signals:
    void hostRequested();
    void joinRequested(); // by address (the join dialog)
    void discoveredJoinRequested(const Parley::Client::DiscoveredHub &hub);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void refresh();
    QWidget *hubRow(const Client::DiscoveredHub &hub);

    QLabel *m_greeting;
    QLabel *m_status;
    QWidget *m_list;
    QVBoxLayout *m_listLayout;
    QPushButton *m_host;
    QPushButton *m_join;
    Client::HubBrowser m_browser;
    Client::DiscoveryMode m_mode = Client::DiscoveryMode::Off;
    QList<Client::DiscoveredHub> m_shown;
};

} // namespace Parley::Ui
