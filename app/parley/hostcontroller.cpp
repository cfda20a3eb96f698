#include "parley/hostcontroller.h"

#include "client/localaddresses.h"
#include "hub/hubrunner.h"
#include "parley/logging.h"
#include "parley/workspace.h"

#include <QDir>

namespace Parley::App {

HostController::HostController(QString dataDir, Hub::DiscoveryMode discovery, QObject *parent)
    : Hosting(parent)
    , m_dataDir(std::move(dataDir))
    , m_discovery(discovery)
{
}

HostController::~HostController()
{
    stop();
}

bool HostController::start(const HostOptions &options, QString *error)
{
    stop();
    Hub::HubSettings settings;
    settings.bindAddress = QHostAddress::AnyIPv4;
    settings.port = options.port;
    settings.name = options.name.trimmed().isEmpty() ? settings.name : options.name.trimmed();
    settings.password = options.password;
    settings.dataDir = m_dataDir;
    settings.discovery = options.announce ? m_discovery : Hub::DiscoveryMode::Off;
    settings.tls = options.tls;
    settings.tlsCertificateFile = options.tlsCertificateFile;
    settings.tlsKeyFile = options.tlsKeyFile;
    auto runner = std::make_unique<Hub::HubRunner>(settings);
    if (!runner->start(error)) {
        qCWarning(lcApp) << "cannot host a hub:" << (error ? *error : QString());
        return false;
    }
    m_options = options;
    m_options.port = runner->port();
    m_runner = std::move(runner);
    qCInfo(lcApp) << "hosting" << settings.name << "on port" << m_options.port;
    emit runningChanged(true);
    return true;
}

void HostController::stop()
{
    if (!m_runner)
        return;
    m_runner->stop(); // closes every client with 1001
    m_runner.reset();
    emit runningChanged(false);
}

bool HostController::isRunning() const
{
    return m_runner && m_runner->isRunning();
}

quint16 HostController::port() const
{
    return m_runner ? m_runner->port() : 0;
}

QUrl HostController::localUrl() const
{
    return m_runner ? m_runner->url() : QUrl();
}

QString HostController::fingerprint() const
{
    return m_runner ? m_runner->fingerprint() : QString();
}

QStringList HostController::lanAddresses() const
{
    QStringList addresses;
    const QList<Client::LocalAddress> local = Client::localAddresses(); // the likeliest first
    for (const Client::LocalAddress &address : local)
        addresses.append(QStringLiteral("%1:%2").arg(address.ip.toString()).arg(port()));
    return addresses;
}

std::unique_ptr<Hosting> makeHostController(const WorkspaceOptions &options)
{
    const QString hubDir = options.dataDir.isEmpty()
        ? QString()
        : QDir(options.dataDir).filePath(QStringLiteral("hub"));
    return std::make_unique<HostController>(hubDir, options.discovery);
}

} // namespace Parley::App
