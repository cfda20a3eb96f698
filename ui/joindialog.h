#pragma once

#include "client/hubbrowser.h"

#include <QDialog>
#include <QUrl>

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTreeWidget;

namespace Parley::Ui {

class AppSettings;

// Chooses a hub to join: the hubs discovered on the LAN (live, from a HubBrowser it owns), the
// recent hubs, or a typed host:port; plus the hub password for locked hubs.
// Owned by its caller; GUI thread.
class JoinDialog : public QDialog
{
    Q_OBJECT
public:
    JoinDialog(AppSettings *settings, Client::DiscoveryMode discovery, QWidget *parent = nullptr);
    ~JoinDialog() override;

    QUrl url() const { return m_url; } // valid after accept()
    // The certificate fingerprint the chosen hub announced, if it was a discovered one.
    QString announcedFingerprint() const { return m_announced; }
    QString password() const;

    QTreeWidget *discoveredList() const { return m_discovered; }
    QLineEdit *addressEdit() const { return m_address; }

    void accept() override; // validates the address first

private:
    void refreshDiscovered();
    void updateDiscoveryStatus();

    Client::HubBrowser m_browser;
    QTreeWidget *m_discovered;
    QLabel *m_discoveryStatus;
    QListWidget *m_recent;
    QLineEdit *m_address;
    QLineEdit *m_password;
    QLabel *m_error;
    QPushButton *m_join;
    QUrl m_url;
    QString m_announced;
};

} // namespace Parley::Ui
