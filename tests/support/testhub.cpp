#include "testhub.h"

#include "hub/hub.h"

#include <QDebug>

namespace Parley::Testing {

Hub::HubSettings TestHub::settings()
{
    Hub::HubSettings settings;
    settings.bindAddress = QHostAddress::LocalHost;
    settings.port = 0;
    settings.name = QStringLiteral("Test hub");
    settings.discovery = Hub::DiscoveryMode::Off;
    // Plain ws:// unless a test asks for TLS (tests that do: hubsecurity, phoenixclient, ui).
    settings.tls = false;
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
