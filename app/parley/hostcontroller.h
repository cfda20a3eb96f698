#pragma once

#include "hub/hubsettings.h"
#include "ui/hubcontrol.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>

namespace Parley::Hub {
class HubRunner;
}

namespace Parley::App {

using Ui::HostOptions;

// Runs the embedded hub (a Hub::HubRunner on its own thread) for the desktop app: the only part
// of the app that knows the hub library. Owned by the Workspace; GUI thread.
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

} // namespace Parley::App
