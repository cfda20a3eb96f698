#pragma once

#include <QTcpServer>

#include <functional>

namespace Parley::Hub {

// The hub's own listening socket: a backlog we choose (QWebSocketServer's is fixed at 50) and
// accepted descriptors handed straight to the hub, skipping QTcpServer's pending queue.
// Owned by the Hub; hub thread only.
class Listener : public QTcpServer
{
public:
    using Handler = std::function<void(qintptr descriptor)>;
    Listener(Handler handler, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    Handler m_handler;
};

} // namespace Parley::Hub
