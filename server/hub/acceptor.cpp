#include "hub/acceptor.h"

#include "hub/directsocket.h"
#include "hub/listener.h"
#include "hub/logging.h"
#include "hub/peerlimits.h"
#include "hub/wsprotocol.h"

#include <QElapsedTimer>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <sys/socket.h>
#include <unistd.h>

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
    const auto waiting = m_waiting;
    for (auto it = waiting.cbegin(); it != waiting.cend(); ++it) {
        ::close(int(it.value()));
        delete it.key();
    }
    m_waiting.clear();
    m_pendingByAddress.clear();
}

int Acceptor::pendingCount(const QHostAddress &address) const
{
    return m_pendingByAddress.value(PeerLimits::normalized(address));
}

void Acceptor::onIncoming(qintptr descriptor)
{
    sockaddr_storage peer {};
    socklen_t peerSize = sizeof peer;
    QHostAddress address;
    if (::getpeername(int(descriptor), reinterpret_cast<sockaddr *>(&peer), &peerSize) == 0)
        address = PeerLimits::normalized(QHostAddress(reinterpret_cast<sockaddr *>(&peer)));
    // Past the hard cap nobody even gets a handshake: the descriptor count stays bounded. One
    // address gets only so many connections upgrading at once.
    const int maxPerAddress = m_settings.maxPendingPerAddress;
    if ((m_isFull && m_isFull())
        || (maxPerAddress > 0 && m_pendingByAddress.value(address) >= maxPerAddress)) {
        qCDebug(lcHub) << "refused a connection from" << address
                       << "at once:" << m_pendingByAddress.value(address) << "upgrading from there";
        ::close(int(descriptor));
        return;
    }
    if (m_settings.socketSendBufferBytes > 0) {
        const int bytes = m_settings.socketSendBufferBytes;
        ::setsockopt(int(descriptor), SOL_SOCKET, SO_SNDBUF, &bytes, sizeof bytes);
    }
    ++m_pendingByAddress[address];
    // Nothing but a notifier until the client speaks: a socket (and for TLS its context and
    // buffers, tens of KB) only for connections that send something.
    auto *waiting = new QSocketNotifier(descriptor, QSocketNotifier::Read, this);
    m_waiting.insert(waiting, descriptor);
    QElapsedTimer since;
    since.start();
    auto *timer = new QTimer(waiting);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, waiting, descriptor, address] {
        if (!m_waiting.remove(waiting))
            return; // its first bytes came in this same turn: the descriptor is a socket's now
        qCDebug(lcHub) << "handshake timeout (nothing sent):" << address;
        delete waiting;
        ::close(int(descriptor));
        pendingEnded(address);
    });
    timer->start(m_settings.handshakeTimeoutMs);
    connect(waiting, &QSocketNotifier::activated, this,
            [this, waiting, timer, descriptor, address, since] {
                timer->stop(); // the socket made below has its own: this one must not close the fd
                waiting->setEnabled(false);
                m_waiting.remove(waiting);
                waiting->deleteLater(); // inside its own signal
                const int remaining
                    = int(std::max<qint64>(1, m_settings.handshakeTimeoutMs - since.elapsed()));
                takeIn(descriptor, address, remaining);
            });
}

void Acceptor::takeIn(qintptr descriptor, const QHostAddress &address, int remainingMs)
{
    QTcpSocket *socket = m_settings.tls ? static_cast<QTcpSocket *>(new QSslSocket(this))
                                        : new DirectSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        ::close(int(descriptor));
        delete socket;
        pendingEnded(address);
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_pending.insert(socket, address);
    auto *timer = new QTimer(socket);
    timer->setObjectName(QStringLiteral("parley-handshake-timer"));
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, socket] {
        qCDebug(lcHub) << "handshake timeout:" << socket->peerAddress();
        drop(socket);
    });
    timer->start(remainingMs);
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

void Acceptor::pendingEnded(const QHostAddress &address)
{
    const auto it = m_pendingByAddress.find(address);
    if (it != m_pendingByAddress.end() && --*it <= 0)
        m_pendingByAddress.erase(it);
}

void Acceptor::finish(QTcpSocket *socket)
{
    const auto it = m_pending.find(socket);
    if (it == m_pending.end())
        return;
    pendingEnded(*it);
    m_pending.erase(it);
    delete socket->findChild<QTimer *>(QStringLiteral("parley-handshake-timer"), Qt::FindDirectChildrenOnly);
    disconnect(socket, &QTcpSocket::disconnected, this, nullptr);
}

void Acceptor::drop(QTcpSocket *socket)
{
    const auto it = m_pending.find(socket);
    if (it == m_pending.end())
        return;
    pendingEnded(*it);
    m_pending.erase(it);
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
    const auto it = m_pending.find(socket);
    if (it == m_pending.end())
        return;
    pendingEnded(*it);
    m_pending.erase(it);
    socket->disconnect(this);
    socket->write(response);
    socket->disconnectFromHost(); // after the answer is written
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    // A peer that does not read the answer is dropped with the handshake timer, still running.
    if (QTimer *timer = socket->findChild<QTimer *>(QStringLiteral("parley-handshake-timer")))
        connect(timer, &QTimer::timeout, socket, [socket] { socket->abort(); socket->deleteLater(); });
}

} // namespace Parley::Hub
