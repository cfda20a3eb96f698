#pragma once

#include "hub/wsprotocol.h"

#include <QHostAddress>
#include <QObject>

class QTcpSocket;

namespace Parley::Hub {

class WriteBatch;

// One accepted TCP connection speaking WebSocket (server side): the upgrade handshake, frame
// reassembly with the size limit, ping/pong, the close handshake and the outgoing byte count.
// It knows nothing of Phoenix. Owned by its Connection; lives on the hub thread.
class WsConnection : public QObject
{
    Q_OBJECT
public:
    enum class State { Handshaking, Open, Closing, Closed };

    // With a `batch`, writes are queued here and sent when the batch flushes (once per
    // event-loop turn); without one they go to the socket at once.
    WsConnection(QTcpSocket *socket, qint64 maxMessageBytes, WriteBatch *batch = nullptr,
                 QObject *parent = nullptr);
    ~WsConnection() override;

    State state() const { return m_state; }
    QHostAddress peerAddress() const;
    quint16 peerPort() const;

    void sendText(QByteArrayView utf8);
    // Writes bytes that are already a complete frame (a broadcast framed once for everyone).
    void sendFrame(const QByteArray &frame);
    // Sends a close frame and drops the connection once it is written (or soon after).
    void close(quint16 code, const QString &reason);
    // Answers a failed upgrade with an HTTP status and drops the connection.
    void reject(int status, const QByteArray &reason);
    void abort();
    // Bytes written that the kernel has not taken yet (queued here or in the socket).
    qint64 queuedBytes() const;
    // Sends what is queued: straight to the descriptor when the socket has nothing buffered
    // (plain TCP), the rest through the socket. Called by the WriteBatch.
    void flushQueued();

signals:
    void upgradeRequested(const Parley::Hub::Ws::Request &request);
    void textReceived(const QByteArray &utf8);
    // The peer broke the protocol; the connection is being closed with this code.
    void protocolError(quint16 code, const QString &reason);
    void activity(); // any bytes arrived
    void disconnected();

public:
    // Completes the upgrade: writes the 101 response. Called by the owner from upgradeRequested.
    void accept(const Ws::Request &request);

private:
    void onReadyRead();
    void processFrames();
    void finish();
    // Drops the connection once what was written is sent, or after a grace period.
    void closeAfterWrite();
    // Drops the TCP connection with a reset, discarding what is still queued (for a peer that
    // did not read it within the close grace).
    void reset();
    void enqueue(const QByteArray &bytes);
    void sendQueued();

    QTcpSocket *m_socket; // owned
    Ws::FrameReader m_reader;
    WriteBatch *m_batch;
    QByteArray m_queued; // written this turn, not yet flushed
    bool m_inBatch = false;
    bool m_socketBacklog = false; // bytes may wait in m_socket's own buffer
    bool m_directSend; // plain TCP: send() may bypass QTcpSocket's buffer (never with TLS)
    QByteArray m_handshakeBuffer;
    State m_state = State::Handshaking;
    bool m_upgradePending = false;
};

} // namespace Parley::Hub
