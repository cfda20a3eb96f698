#include "hub/directsocket.h"

#include <sys/socket.h>

namespace Parley::Hub {

qint64 DirectSocket::writeData(const char *data, qint64 size)
{
    if (size <= 0 || bytesToWrite() > 0 || state() != ConnectedState)
        return QTcpSocket::writeData(data, size);
    // Non-blocking and no SIGPIPE. A failure (EAGAIN or a dead peer) leaves the bytes to
    // QTcpSocket, whose own write then buffers them or reports the error the usual way.
    const ssize_t sent = ::send(int(socketDescriptor()), data, size_t(size),
                                MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent <= 0)
        return QTcpSocket::writeData(data, size);
    if (sent == size)
        return size;
    const qint64 rest = QTcpSocket::writeData(data + sent, size - sent);
    return rest < 0 ? rest : sent + rest;
}

} // namespace Parley::Hub
