#include "ui/workspace.h"

#include "client/chatsession.h"
#include "ui/appsettings.h"
#include "ui/hubaddress.h"
#include "ui/logging.h"

#include <QDir>

namespace Parley::Ui {

Workspace::Workspace(AppSettings *settings, WorkspaceOptions options, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_options(std::move(options))
{
    const QString hubDir = m_options.dataDir.isEmpty()
        ? QString()
        : QDir(m_options.dataDir).filePath(QStringLiteral("hub"));
    m_host = std::make_unique<HostController>(hubDir, m_options.discovery);
    connect(m_host.get(), &HostController::runningChanged, this, &Workspace::hostingChanged);
}

Workspace::~Workspace()
{
    m_host->stop(); // every client, this app's own session included, is closed with 1001
    if (m_session)
        m_session->disconnectFromHub();
}

bool Workspace::isHosting() const
{
    return m_host->isRunning();
}

bool Workspace::host(const HostOptions &options, QString *error)
{
    leave();
    if (!m_host->start(options, error))
        return false;
    // The app trusts the certificate of the hub it runs itself: nothing to confirm.
    m_pin = m_host->fingerprint();
    m_settings->setLastSession(QStringLiteral("host"));
    replaceSession(m_host->localUrl(), options.password);
    return true;
}

void Workspace::join(const QUrl &mountUrl, const QString &hubPassword, const QString &announced)
{
    m_host->stop();
    m_pin = m_settings->pinnedFingerprint(hubAddressText(mountUrl));
    if (m_pin.isEmpty() && !announced.isEmpty() && mountUrl.scheme() == QLatin1String("wss")) {
        m_pin = announced;
        m_settings->setPinnedFingerprint(hubAddressText(mountUrl), announced);
    }
    m_settings->setLastSession(mountUrl.toString());
    replaceSession(mountUrl, hubPassword);
}

void Workspace::rejoin(const QString &hubPassword)
{
    if (m_url.isValid())
        replaceSession(m_url, hubPassword.isNull() ? m_password : hubPassword);
}

void Workspace::leave()
{
    m_host->stop();
    if (!m_session)
        return;
    m_url.clear();
    m_password.clear();
    std::unique_ptr<Client::ChatSession> old = std::move(m_session);
    old->disconnectFromHub();
    emit sessionChanged(nullptr);
    old.release()->deleteLater(); // it may be inside one of its own signals
}

void Workspace::replaceSession(const QUrl &mountUrl, const QString &hubPassword)
{
    std::unique_ptr<Client::ChatSession> old = std::move(m_session);
    if (old)
        old->disconnectFromHub();
    Client::Identity identity;
    identity.key = m_settings->identityKey();
    identity.nick = m_settings->nick();
    m_session = std::make_unique<Client::ChatSession>(identity);
    m_url = mountUrl;
    m_password = hubPassword;
    connect(m_session.get(), &Client::ChatSession::connectionStateChanged, this,
            &Workspace::onConnectionStateChanged);
    connect(m_session.get(), &Client::ChatSession::hubInfoChanged, this,
            &Workspace::onConnectionStateChanged);
    emit sessionChanged(m_session.get());
    if (old)
        old.release()->deleteLater();
    qCInfo(lcUi) << "joining" << mountUrl.toString();
    connect(m_session.get(), &Client::ChatSession::certificateRejected, this,
            [this](const QString &presented, const QString &pinned) {
                emit certificateRejected(m_url, presented, pinned);
            });
    m_session->setPinnedFingerprint(m_pin);
    m_session->connectToHub(mountUrl, hubPassword);
}

void Workspace::trustCertificate(const QString &fingerprint)
{
    if (!m_session || fingerprint.isEmpty())
        return;
    m_pin = fingerprint;
    if (!isHosting())
        m_settings->setPinnedFingerprint(hubAddressText(m_url), fingerprint);
    m_session->trustCertificate(fingerprint);
}

void Workspace::onConnectionStateChanged()
{
    // A hub that let us in is worth remembering; the own hosted hub is remembered as "host".
    if (!m_session
        || m_session->connectionState() != Client::ChatSession::ConnectionState::Connected
        || m_session->hubName().isEmpty() || isHosting())
        return;
    m_settings->addRecentHub({ m_url, m_session->hubName() });
}

} // namespace Parley::Ui
