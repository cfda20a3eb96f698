#pragma once

#include <QTcpSocket>

namespace Parley::Hub {

// A plain-TCP socket whose writes go straight to the kernel while nothing waits in its own
// buffer; only what the kernel refuses is buffered (and then sent by QTcpSocket as usual, so
// nothing overtakes). Two reasons:
//  - memory: a QTcpSocket buffers every write, and the first one (the 101 response) allocates
//    a 32 KiB ring-buffer chunk that the socket keeps for its whole life. Opening a
//    descriptor Unbuffered does not help: Qt 6.4 honours Unbuffered writes only for sockets
//    it connected itself. Measured: 32 KiB per idle connection, more than the hub's own state.
//  - speed: a buffered write arms the write notifier, costing two epoll mask changes and a
//    wake-up per socket and turn on top of the send().
// Hub thread, like every socket of the hub.
class DirectSocket : public QTcpSocket
{
    Q_OBJECT
public:
    using QTcpSocket::QTcpSocket;

protected:
    qint64 writeData(const char *data, qint64 size) override;
};

} // namespace Parley::Hub
