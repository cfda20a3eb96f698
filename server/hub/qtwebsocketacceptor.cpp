#include "hub/qtwebsocketacceptor.h"

#include "hub/qtwebsockettransport.h"
#include "hub/wsprotocol.h"

#include <QTcpSocket>
#include <QWebSocket>

namespace Parley::Hub {

namespace {
constexpr qsizetype maxRequestHead = 8192;
}

QtWebSocketAcceptor::QtWebSocketAcceptor(AcceptorSettings settings, WriteBatch *batch, QObject *parent)
    : Acceptor(std::move(settings), batch, parent),
      // NonSecureMode also for wss://: the acceptor does TLS itself (startServerEncryption) and
      // hands over a QSslSocket that reads and writes plain text. In SecureMode a 5,000-client
      // wss:// setup spent 25 % of the hub's CPU in QObject::sender(), whose cost grows with the
      // sockets connected to the one server object (perf, docs/benchmarks.md "TLS").
      m_server(QStringLiteral("parley"), QWebSocketServer::NonSecureMode)
{
    // phoenix.js offers "phoenix" (plus a bearer token entry) when given an authToken.
    m_server.setSupportedSubprotocols({ QStringLiteral("phoenix") });
    m_server.setMaxPendingConnections(1 << 20); // taken at once in onWebSocket()
    m_server.setHandshakeTimeout(-1); // the acceptor's own timer covers the whole upgrade
    connect(&m_server, &QWebSocketServer::newConnection, this, &QtWebSocketAcceptor::onWebSocket);
}

void QtWebSocketAcceptor::startUpgrade(QTcpSocket *socket)
{
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { route(socket); });
}

void QtWebSocketAcceptor::route(QTcpSocket *socket)
{
    // Peeked, not read: QWebSocketServer reads the same request again.
    const QByteArray head = socket->peek(maxRequestHead + 1);
    Ws::Request request;
    qsizetype consumed = 0;
    QString error;
    switch (Ws::parseRequest(head, &request, &consumed, &error, maxRequestHead)) {
    case Ws::ParseStatus::Incomplete:
        return;
    case Ws::ParseStatus::Invalid:
        return respond(socket, Ws::httpError(400, "Bad Request"));
    case Ws::ParseStatus::Complete:
        break;
    }
    if (const QByteArray response = answer(request); !response.isEmpty())
        return respond(socket, response);
    const QString origin = QString::fromUtf8(request.header("origin"));
    const QString host = QString::fromUtf8(request.header("host"));
    socket->disconnect(this, nullptr); // from here the socket's bytes are QWebSocketServer's
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] { drop(socket); });
    const Peer peer { socket->peerAddress().toString(), socket->peerPort() };
    m_upgrading.insert(peer, { socket, UpgradeRequest { request.path, request.query, host, origin } });
    m_peerOf.insert(socket, peer);
    m_server.handleConnection(socket);
}

void QtWebSocketAcceptor::onWebSocket()
{
    while (QWebSocket *webSocket = m_server.nextPendingConnection()) {
        const auto it = m_upgrading.find({ webSocket->peerAddress().toString(), webSocket->peerPort() });
        if (it == m_upgrading.end()) {
            webSocket->abort(); // not one of ours (cannot happen: m_server never listens)
            webSocket->deleteLater();
            continue;
        }
        QTcpSocket *socket = it->first;
        const UpgradeRequest request = it->second;
        m_upgrading.erase(it);
        m_peerOf.remove(socket);
        finish(socket);
        socket->disconnect(this, nullptr);
        auto *transport = new QtWebSocketTransport(webSocket, socket, settings().maxMessageBytes, batch());
        emit connected(transport, request);
    }
}

void QtWebSocketAcceptor::drop(QTcpSocket *socket)
{
    if (const auto it = m_peerOf.constFind(socket); it != m_peerOf.cend()) {
        m_upgrading.remove(*it);
        m_peerOf.erase(it);
    }
    Acceptor::drop(socket);
}

} // namespace Parley::Hub
