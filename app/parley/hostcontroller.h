#pragma once

#include "hub/hubsettings.h"
#include "parley/hosting.h"

#include <QStringList>
#include <QUrl>

#include <memory>

namespace Parley::Hub {
class HubRunner;
}

namespace Parley::App {

using Ui::HostOptions;

// Runs the embedded hub (a Hub::HubRunner on its own thread) for the desktop app: the only part
// of the app that knows the hub library (parley_host). Owned by the Workspace; GUI thread.
class HostController : public Hosting
{
    Q_OBJECT
public:
    // dataDir: where the hub keeps its SQLite file (empty: in memory); discovery: the mode used
    // when HostOptions::announce is set.
    HostController(QString dataDir, Hub::DiscoveryMode discovery, QObject *parent = nullptr);
    ~HostController() override; // stops the hub

    bool start(const HostOptions &options, QString *error) override;
    void stop() override; // and the hub thread
    bool isRunning() const override;
    HostOptions options() const override { return m_options; }
    quint16 port() const;
    QUrl localUrl() const override;
    QString fingerprint() const override; // lowercase hex SHA-256
    // For every up, running, non-loopback IPv4 interface.
    QStringList lanAddresses() const override;

private:
    QString m_dataDir;
    Hub::DiscoveryMode m_discovery;
    HostOptions m_options;
    std::unique_ptr<Hub::HubRunner> m_runner;
};

struct WorkspaceOptions;

// The embedded hub of an app with these options: its SQLite file in DATA_DIR/hub (in memory
// without a data directory), announced in the app's discovery mode.
std::unique_ptr<Hosting> makeHostController(const WorkspaceOptions &options);

} // namespace Parley::App
