#include "testhub.h"

#include "hub/hub.h"
#include "protocol/fingerprint.h"
#include "testkeys.h"

#include <QDebug>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QWebSocket>

namespace Parley::Testing {

namespace {
QStringList &trusted()
{
    static QStringList fingerprints;
    return fingerprints;
}

QSslConfiguration withoutAuthorities(QSslConfiguration configuration)
{
    configuration.setCaCertificates({});
    return configuration;
}
} // namespace

void trustTestHubs(QWebSocket *socket)
{
    socket->setSslConfiguration(withoutAuthorities(QSslConfiguration::defaultConfiguration()));
    QObject::connect(socket, &QWebSocket::sslErrors, socket, [socket] {
        const QByteArray der = socket->sslConfiguration().peerCertificate().toDer();
        if (trusted().contains(Protocol::Fingerprint::of(der)))
            socket->ignoreSslErrors();
    });
}

void trustTestHubs(QSslSocket *socket)
{
    socket->setSslConfiguration(withoutAuthorities(socket->sslConfiguration()));
    QObject::connect(socket, &QSslSocket::sslErrors, socket, [socket] {
        if (trusted().contains(Protocol::Fingerprint::of(socket->peerCertificate().toDer())))
            socket->ignoreSslErrors();
    });
}

Hub::HubSettings TestHub::settings()
{
    Hub::HubSettings settings;
    settings.bindAddress = QHostAddress::LocalHost;
    settings.port = 0;
    settings.name = QStringLiteral("Test hub");
    settings.discovery = Hub::DiscoveryMode::Off;
    // Plain ws:// unless a test asks for TLS (hubsecurity, phoenixclient, ui), or the suite runs
    // over TLS (PARLEY_TLS=1: the _tls variants of the transport suites).
    settings.tls = qEnvironmentVariable("PARLEY_TLS") == QLatin1String("1");
    // The integration suites run once per transport (tests/integration/*.cmake).
    const QString transport = qEnvironmentVariable("PARLEY_TRANSPORT", QStringLiteral("qt"));
    const std::optional<Hub::HubSettings::Transport> chosen = Hub::HubSettings::transportFromName(transport);
    if (!chosen)
        qFatal("PARLEY_TRANSPORT must be qt or epoll, not %s", qPrintable(transport));
    settings.transport = *chosen;
    return settings;
}

TestHub::TestHub(const Hub::HubSettings &settings)
    : m_runner(std::make_unique<Hub::HubRunner>(settings))
{
}

TestHub::~TestHub() = default;

bool TestHub::start()
{
    QString error;
    if (m_runner->start(&error)) {
        if (!m_runner->fingerprint().isEmpty())
            trusted().append(m_runner->fingerprint());
        TestKeys::setHubBinding(m_runner->port(), m_runner->connectBinding());
        QObject::connect(m_runner->hub(), &Hub::Hub::connectionClosing, &m_context,
                         [this](const QString &userId, quint16 code, const QString &reason) {
                             m_closes.append({ userId, code, reason });
                         });
        return true;
    }
    qWarning() << "hub did not start:" << error;
    return false;
}

void TestHub::stop()
{
    m_runner->stop();
}

int TestHub::connectionCount() const
{
    Hub::Hub *hub = m_runner->hub();
    if (!hub)
        return 0;
    int count = 0;
    QMetaObject::invokeMethod(
        hub, [hub, &count] { count = hub->connectionCount(); }, Qt::BlockingQueuedConnection);
    return count;
}

} // namespace Parley::Testing
