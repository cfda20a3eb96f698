#pragma once

#include "client/hubbrowser.h"
#include "client/localaddresses.h"
#include "client/reachabilityprobe.h"

#include <QDialog>
#include <QElapsedTimer>
#include <QTimer>
#include <QUrl>

#include <optional>

class QCheckBox;
class QFrame;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QToolButton;
class QTreeWidget;

namespace Parley::Ui {

class AppSettings;

// Chooses a hub to join: the hubs discovered on the LAN (live, from a HubBrowser it owns), the
// recent hubs, or a typed host:port; plus the hub password for locked hubs. When no hub shows
// up for a while it explains, in words, what it checked and what it found (the interfaces it
// looks on, whether it could listen, whether it hears the app's own hub), and offers to look on
// VPN and virtual adapters too and to try an address.
// Owned by its caller; GUI thread.
class JoinDialog : public QDialog
{
    Q_OBJECT
public:
    JoinDialog(AppSettings *settings, Client::DiscoveryMode discovery, QWidget *parent = nullptr);
    ~JoinDialog() override;

    QUrl url() const { return m_url; } // valid after accept()
    // The hub heard on the LAN that was chosen (picked in the list, or its address typed), if
    // any: it says whether it is encrypted and which certificate it announces.
    std::optional<Client::DiscoveredHub> discovered() const { return m_chosen; }
    QString password() const;

    QTreeWidget *discoveredList() const { return m_discovered; }
    QLineEdit *addressEdit() const { return m_address; }
    Client::HubBrowser *browser() { return &m_browser; }

    // The hub this app hosts and announces (its id), and where others reach it: the dialog then
    // checks that it hears its own announcement.
    void setOwnHub(const QString &hubId, const QStringList &reachableAt);
    // Listens on another UDP port than the protocol's (tests).
    void setDiscoveryPort(quint16 port);
    // How long an empty list waits before the explanation opens by itself (5 s by default).
    void setDiagnosisDelayMs(int ms) { m_diagnosisDelayMs = ms; }
    QString diagnosisText() const; // what the explanation says now
    bool isDiagnosisShown() const;

    void accept() override; // validates the address first

private:
    void refreshDiscovered();
    void updateDiscoveryStatus();
    void updateDiagnosis();
    void updateRecent();

    AppSettings *m_settings;
    Client::HubBrowser m_browser;
    QTreeWidget *m_discovered;
    QLabel *m_discoveryStatus;
    QListWidget *m_recent;
    QLineEdit *m_address;
    QLineEdit *m_password;
    QLabel *m_error;
    QPushButton *m_join;
    QUrl m_url;
    std::optional<Client::DiscoveredHub> m_chosen;
    QToolButton *m_why;
    QFrame *m_diagnosisBox;
    QLabel *m_diagnosis;
    QCheckBox *m_includeVirtual;
    QTimer m_tick;
    Client::ReachabilityProbe m_probe; // of the recent hubs' last used addresses
    QElapsedTimer m_searching;
    int m_diagnosisDelayMs = 5000;
    bool m_diagnosisOpened = false; // opened once (by itself or the user): never closed by itself
    QString m_ownHubId;
    QStringList m_reachableAt;
    QList<Client::LocalAddress> m_interfaces; // this computer's, read once per dialog
    quint16 m_lastPort;
};

} // namespace Parley::Ui
