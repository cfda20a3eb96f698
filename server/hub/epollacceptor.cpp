#include "hub/epollacceptor.h"

#include "hub/wsconnection.h"

#include <QTcpSocket>

namespace Parley::Hub {

void EpollAcceptor::startUpgrade(QTcpSocket *socket)
{
    auto *ws = new WsConnection(socket, settings().maxMessageBytes, batch(), this);
    m_connections.insert(socket, ws);
    connect(ws, &WsConnection::requestReceived, this,
            [this, socket, ws](const Ws::Request &request) {
                m_connections.remove(socket);
                finish(socket);
                if (const QByteArray response = answer(request); !response.isEmpty()) {
                    ws->respond(response);
                    connect(ws, &Transport::disconnected, ws, &QObject::deleteLater);
                    return;
                }
                ws->disconnect(this);
                ws->accept(request);
                emit connected(ws,
                               UpgradeRequest { request.path, request.query,
                                                QString::fromUtf8(request.header("host")),
                                                QString::fromUtf8(request.header("origin")) });
            });
    // A malformed request is answered (400) by the connection itself.
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
