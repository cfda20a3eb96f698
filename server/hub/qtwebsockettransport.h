#pragma once

#include "hub/corkedwriter.h"
#include "hub/transport.h"

#include <QPointer>

class QTcpSocket;
class QWebSocket;

namespace Parley::Hub {

class WriteBatch;

// A connection whose WebSocket protocol is Qt's: the QWebSocket that QWebSocketServer made
// from the hub's accepted socket parses every incoming frame (masking, reserved bits, UTF-8,
// fragments, the size limit, ping/pong, the close handshake). Outgoing text frames are built by
// the hub (a broadcast's frame once for everyone) and corked per event-loop turn into the same
// socket (CorkedWriter); QWebSocket's own control frames go there too, whole, so nothing
// interleaves inside a frame. The default transport. Owned by its Connection; hub thread.
class QtWebSocketTransport : public Transport
{
    Q_OBJECT
public:
    // `socket` is the TCP socket `webSocket` was upgraded from (the acceptor's, deleted by
    // QWebSocketServer when it disconnects). Takes `webSocket`.
    QtWebSocketTransport(QWebSocket *webSocket, QTcpSocket *socket, qint64 maxMessageBytes,
                         WriteBatch *batch, QObject *parent = nullptr);
    ~QtWebSocketTransport() override;

    void sendText(QByteArrayView utf8) override;
    void sendFrame(const QByteArray &frame) override;
    void close(quint16 code, const QString &reason) override;
    void abort() override;
    qint64 queuedBytes() const override { return m_writer.queuedBytes(); }
    QHostAddress peerAddress() const override;
    bool isOpen() const override { return m_open; }

private:
    void finish();
    // Drops the TCP connection with a reset, discarding what is still queued (for a peer that
    // did not read it within the close grace).
    void reset();

    QWebSocket *m_webSocket; // child
    QPointer<QTcpSocket> m_socket;
    CorkedWriter m_writer;
    QHostAddress m_peer;
    bool m_open = true;
    bool m_finished = false;
};

} // namespace Parley::Hub
