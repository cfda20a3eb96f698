#pragma once

#include "hub/acceptor.h"

#include <QHash>
#include <QPair>
#include <QWebSocketServer>

namespace Parley::Hub {

// The default acceptor: a new connection's request head is read (peeked, not consumed) to
// route it — /socket/websocket upgrades go to QWebSocketServer::handleConnection(), which does
// the handshake with the `phoenix` subprotocol; anything else gets its HTTP status here — and
// each WebSocket that QWebSocketServer hands back becomes a QtWebSocketTransport. Owned by the
// Hub; hub thread.
class QtWebSocketAcceptor : public Acceptor
{
    Q_OBJECT
public:
    QtWebSocketAcceptor(AcceptorSettings settings, WriteBatch *batch, QObject *parent = nullptr);

protected:
    void startUpgrade(QTcpSocket *socket) override;
    void drop(QTcpSocket *socket) override;

private:
    void route(QTcpSocket *socket);
    void onWebSocket();

    using Peer = QPair<QString, quint16>; // how a QWebSocket is matched to the socket it came from
    QWebSocketServer m_server; // never listens: handleConnection() only
    QHash<Peer, QPair<QTcpSocket *, UpgradeRequest>> m_upgrading; // handed to m_server
    QHash<QTcpSocket *, Peer> m_peerOf; // the keys of m_upgrading (a closed socket forgets its peer)
};

} // namespace Parley::Hub
