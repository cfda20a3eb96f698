#pragma once

#include "hub/acceptor.h"

namespace Parley::Hub {

class WsConnection;

// The hub's own WebSocket handshake (--transport epoll): each new socket is a WsConnection in
// its handshake; its request is checked here (Acceptor::answer: GET /hub, path, upgrade,
// origin) and answered by it, then it is handed to the hub as its transport. Owned by the Hub; hub
// thread.
class EpollAcceptor : public Acceptor
{
    Q_OBJECT
public:
    using Acceptor::Acceptor;

protected:
    void startUpgrade(QTcpSocket *socket) override;
    void drop(QTcpSocket *socket) override;

private:
    QHash<QTcpSocket *, WsConnection *> m_connections; // upgrading
};

} // namespace Parley::Hub
