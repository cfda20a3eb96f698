#pragma once

#include "hub/hubsettings.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace Parley::Hub {
class HubRunner;
}

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

// Runs the embedded hub (a Hub::HubRunner on its own thread) for the desktop app: the only part
// of parley_ui that knows the hub library. Owned by the Workspace; GUI thread.
class HostController : public QObject
{
    Q_OBJECT
public:
    // dataDir: where the hub keeps its SQLite file (empty: in memory); discovery: the mode used
    // when HostOptions::announce is set.
    HostController(QString dataDir, Hub::DiscoveryMode discovery, QObject *parent = nullptr);
    ~HostController() override; // stops the hub

    bool start(const HostOptions &options, QString *error);
    // Closes every client with 1001 and stops the hub thread. Idempotent.
    void stop();

    bool isRunning() const;
    HostOptions options() const { return m_options; }
    quint16 port() const;
    QUrl localUrl() const; // ws(s)://127.0.0.1:PORT/socket: how this app joins its own hub
    // The served certificate's fingerprint (lowercase hex SHA-256); empty for ws://.
    QString fingerprint() const;

    // "ADDRESS:PORT" for every up, running, non-loopback IPv4 interface: what others type.
    QStringList lanAddresses() const;

signals:
    void runningChanged(bool running);

private:
    QString m_dataDir;
    Hub::DiscoveryMode m_discovery;
    HostOptions m_options;
    std::unique_ptr<Hub::HubRunner> m_runner;
};

} // namespace Parley::Ui
