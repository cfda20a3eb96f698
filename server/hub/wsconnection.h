#pragma once

#include "hub/wsprotocol.h"

#include <QHostAddress>
#include <QObject>

class QTcpSocket;

namespace Parley::Hub {

// One accepted TCP connection speaking WebSocket (server side): the upgrade handshake, frame
// reassembly with the size limit, ping/pong, the close handshake and the outgoing byte count.
// It knows nothing of Phoenix. Owned by its Connection; lives on the hub thread.
class WsConnection : public QObject
{
    Q_OBJECT
public:
    enum class State { Handshaking, Open, Closing, Closed };

    WsConnection(QTcpSocket *socket, qint64 maxMessageBytes, QObject *parent = nullptr);
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
    // Bytes handed to the socket that the kernel has not taken yet.
    qint64 queuedBytes() const;

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

    QTcpSocket *m_socket; // owned
    Ws::FrameReader m_reader;
    QByteArray m_handshakeBuffer;
    State m_state = State::Handshaking;
    bool m_upgradePending = false;
};

} // namespace Parley::Hub
