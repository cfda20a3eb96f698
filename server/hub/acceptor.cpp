#include "hub/acceptor.h"

#include "hub/directsocket.h"
#include "hub/listener.h"
#include "hub/logging.h"
#include "hub/wsprotocol.h"

#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <sys/socket.h>

namespace Parley::Hub {

bool Upgrade::isOriginAllowed(const QString &origin, const QString &host, const QStringList &allowed)
{
    if (origin.isEmpty())
        return true; // native apps, Node, bots
    if (allowed.contains(QLatin1String("*")) || allowed.contains(origin))
        return true;
    // Same host as the one the browser addressed (Phoenix's check_origin against our host).
    const QString originHost = QUrl(origin).host();
    const QString hostName = QUrl(QStringLiteral("http://") + host).host();
    return !originHost.isEmpty() && originHost.compare(hostName, Qt::CaseInsensitive) == 0;
}

Acceptor::Acceptor(AcceptorSettings settings, WriteBatch *batch, QObject *parent)
    : QObject(parent), m_settings(std::move(settings)), m_batch(batch),
      m_listener(new Listener([this](qintptr descriptor) { onIncoming(descriptor); }, this))
{
}

Acceptor::~Acceptor() = default;

bool Acceptor::listen(const QHostAddress &address, quint16 port, QString *error)
{
    m_listener->setListenBacklogSize(m_settings.listenBacklog);
    m_listener->setMaxPendingConnections(m_settings.listenBacklog);
    if (m_listener->listen(address, port))
        return true;
    *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(address.toString())
                     .arg(port)
                     .arg(m_listener->errorString());
    return false;
}

quint16 Acceptor::port() const
{
    return m_listener->serverPort();
}

void Acceptor::close()
{
    m_listener->close();
    const QList<QTcpSocket *> pending = m_pending.keys();
    for (QTcpSocket *socket : pending)
        drop(socket);
}

void Acceptor::onIncoming(qintptr descriptor)
{
    if (m_settings.socketSendBufferBytes > 0) {
        const int bytes = m_settings.socketSendBufferBytes;
        ::setsockopt(int(descriptor), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
    }
    QTcpSocket *socket = m_settings.tls ? static_cast<QTcpSocket *>(new QSslSocket(this))
                                        : new DirectSocket(this);
    // Past the hard cap nobody even gets a handshake: the descriptor count stays bounded.
    if (!socket->setSocketDescriptor(descriptor)
        || (m_isFull && m_isFull())) {
        socket->abort();
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_pending.insert(socket, true);
    auto *timer = new QTimer(socket);
    timer->setObjectName(QStringLiteral("parley-handshake-timer"));
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, socket] {
        qCDebug(lcHub) << "handshake timeout:" << socket->peerAddress();
        drop(socket);
    });
    timer->start(m_settings.handshakeTimeoutMs);
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        if (m_pending.contains(socket))
            drop(socket);
    });
    if (m_settings.tls) {
        auto *tlsSocket = static_cast<QSslSocket *>(socket);
        tlsSocket->setSslConfiguration(*m_settings.tls);
        tlsSocket->startServerEncryption(); // a stalled handshake meets the handshake timeout
    }
    startUpgrade(socket);
}

void Acceptor::finish(QTcpSocket *socket)
{
    m_pending.remove(socket);
    delete socket->findChild<QTimer *>(QStringLiteral("parley-handshake-timer"), Qt::FindDirectChildrenOnly);
    disconnect(socket, &QTcpSocket::disconnected, this, nullptr);
}

void Acceptor::drop(QTcpSocket *socket)
{
    if (!m_pending.remove(socket))
        return;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
}

QByteArray Acceptor::answer(const Ws::Request &request) const
{
    if (request.path == Upgrade::hubInfoPath && request.header("upgrade").isEmpty()) {
        if (request.method != "GET" && request.method != "HEAD")
            return Ws::httpError(405, "Method Not Allowed");
        QByteArray response = Ws::httpResponse(200, "OK", "application/json", m_settings.hubInfo);
        if (request.method == "HEAD")
            response.chop(m_settings.hubInfo.size());
        return response;
    }
    if (request.path != Upgrade::path)
        return Ws::httpError(404, "Not Found");
    if (const QString why = Ws::upgradeError(request); !why.isEmpty()) {
        qCDebug(lcHub) << "refused upgrade:" << why;
        return Ws::httpError(400, "Bad Request");
    }
    const QString origin = QString::fromUtf8(request.header("origin"));
    const QString host = QString::fromUtf8(request.header("host"));
    if (!Upgrade::isOriginAllowed(origin, host, m_settings.allowedOrigins)) {
        qCInfo(lcHub) << "refused origin" << origin;
        return Ws::httpError(403, "Forbidden");
    }
    return {};
}

void Acceptor::respond(QTcpSocket *socket, const QByteArray &response)
{
    if (!m_pending.remove(socket))
        return;
    socket->disconnect(this);
    socket->write(response);
    socket->disconnectFromHost(); // after the answer is written
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    // A peer that does not read the answer is dropped with the handshake timer, still running.
    if (QTimer *timer = socket->findChild<QTimer *>(QStringLiteral("parley-handshake-timer")))
        connect(timer, &QTimer::timeout, socket, [socket] { socket->abort(); socket->deleteLater(); });
}

} // namespace Parley::Hub
