#include "hub/hubrunner.h"

#include "protocol/identity.h"

#if __has_include("hub/epolleventdispatcher.h")
#include "hub/epolleventdispatcher.h"
#define PARLEY_HAVE_EPOLL 1
#endif
#include "hub/hub.h"
#include "protocol/events.h"

#include <QAbstractEventDispatcher>
#include <QThread>

namespace Parley::Hub {

namespace {
constexpr int shutdownGraceMs = 1000;
}

HubRunner::HubRunner(HubSettings settings, QObject *parent)
    : QObject(parent), m_settings(std::move(settings))
{
}

HubRunner::~HubRunner()
{
    stop();
}

bool HubRunner::start(QString *error)
{
    if (m_thread)
        return true;
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("parley-hub"));
    // Never GLib's dispatcher on the hub thread: with many sockets it makes every write O(N).
#ifdef PARLEY_HAVE_EPOLL
    m_thread->setEventDispatcher(new EpollEventDispatcher);
#endif
    m_thread->start();

    bool ok = false;
    QString why;
    // A context object on the hub thread carries the call there.
    auto *context = new QObject;
    context->moveToThread(m_thread.get());
    QMetaObject::invokeMethod(
            context,
            [this, &ok, &why] {
                m_hub = new Hub(m_settings);
                ok = m_hub->start(&why);
                if (ok) {
                    m_port = m_hub->port();
                    m_fingerprint = m_hub->fingerprint();
                    m_hubId = m_hub->hubId();
                }
                else {
                    delete m_hub;
                    m_hub = nullptr;
                }
            },
            Qt::BlockingQueuedConnection);
    context->deleteLater();
    if (!ok) {
        m_thread->quit();
        m_thread->wait();
        m_thread.reset();
        if (error)
            *error = why;
    }
    return ok;
}

void HubRunner::stop()
{
    if (!m_thread)
        return;
    if (m_hub) {
        QMetaObject::invokeMethod(
                m_hub,
                [this] {
                    m_hub->shutdown(Protocol::CloseCode::GoingAway, shutdownGraceMs);
                    delete m_hub;
                },
                Qt::BlockingQueuedConnection);
        m_hub = nullptr;
    }
    m_thread->quit();
    m_thread->wait();
    m_thread.reset();
}

bool HubRunner::isRunning() const
{
    return m_hub != nullptr;
}

quint16 HubRunner::port() const
{
    return m_port;
}

QUrl HubRunner::url() const
{
    QUrl url;
    url.setScheme(m_fingerprint.isEmpty() ? QStringLiteral("ws") : QStringLiteral("wss"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    url.setPath(QStringLiteral("/socket"));
    return url;
}

QString HubRunner::connectBinding() const
{
    return m_fingerprint.isEmpty() ? Protocol::Identity::hubIdBinding(m_hubId)
                                   : Protocol::Identity::fingerprintBinding(m_fingerprint);
}

QString HubRunner::dispatcherClassName() const
{
    if (!m_thread || !m_thread->eventDispatcher())
        return {};
    return QString::fromLatin1(m_thread->eventDispatcher()->metaObject()->className());
}

} // namespace Parley::Hub
