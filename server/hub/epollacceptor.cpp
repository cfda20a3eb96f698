#include "hub/epollacceptor.h"

#include "hub/logging.h"
#include "hub/wsconnection.h"

#include <QTcpSocket>

namespace Parley::Hub {

void EpollAcceptor::startUpgrade(QTcpSocket *socket)
{
    auto *ws = new WsConnection(socket, settings().maxMessageBytes, batch(), this);
    m_connections.insert(socket, ws);
    connect(ws, &WsConnection::upgradeRequested, this, [this, socket, ws](const Ws::Request &request) {
        if (request.path != Upgrade::path) {
            m_connections.remove(socket);
            finish(socket);
            ws->reject(404, "Not Found");
            connect(ws, &Transport::disconnected, ws, &QObject::deleteLater);
            return;
        }
        const QString origin = QString::fromUtf8(request.header("origin"));
        const QString host = QString::fromUtf8(request.header("host"));
        if (!Upgrade::isOriginAllowed(origin, host, settings().allowedOrigins)) {
            qCInfo(lcHub) << "refused origin" << origin;
            m_connections.remove(socket);
            finish(socket);
            ws->reject(403, "Forbidden");
            connect(ws, &Transport::disconnected, ws, &QObject::deleteLater);
            return;
        }
        m_connections.remove(socket);
        finish(socket);
        ws->disconnect(this);
        ws->accept(request);
        emit connected(ws, UpgradeRequest { request.path, request.query, host, origin });
    });
    // A malformed request or a bad upgrade is answered (400) by the connection itself.
    connect(ws, &Transport::disconnected, this, [this, socket] { drop(socket); });
}

void EpollAcceptor::drop(QTcpSocket *socket)
{
    WsConnection *ws = m_connections.take(socket);
    finish(socket);
    if (ws) {
        ws->disconnect(this);
        ws->abort();
        ws->deleteLater(); // takes the socket with it
    }
}

} // namespace Parley::Hub
