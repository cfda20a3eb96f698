#pragma once

#include "hub/corkedwriter.h"
#include "hub/transport.h"
#include "hub/wsprotocol.h"

class QTcpSocket;

namespace Parley::Hub {

class WriteBatch;

// The hub's own RFC 6455 server side on one accepted TCP connection (--transport epoll): the
// upgrade handshake, frame reassembly with the size limit, ping/pong and the close handshake,
// as pure functions in wsprotocol.h. The default transport is QtWebSocketTransport; this one
// stays while it measures better (docs/benchmarks.md). It knows nothing of Phoenix.
// Owned by its acceptor until upgraded, then by its Connection; hub thread.
class WsConnection : public Transport
{
    Q_OBJECT
public:
    enum class State { Handshaking, Open, Closing, Closed };

    // With a `batch`, writes are corked and sent when the batch flushes (once per event-loop
    // turn); without one they go to the socket at once.
    WsConnection(QTcpSocket *socket, qint64 maxMessageBytes, WriteBatch *batch = nullptr,
                 QObject *parent = nullptr);
    ~WsConnection() override;

    State state() const { return m_state; }
    quint16 peerPort() const;

    void sendText(QByteArrayView utf8) override;
    void sendFrame(const QByteArray &frame) override;
    void close(quint16 code, const QString &reason) override;
    void abort() override;
    qint64 queuedBytes() const override { return m_writer.queuedBytes(); }
    QHostAddress peerAddress() const override;
    bool isOpen() const override { return m_state == State::Open; }

    // Answers the request over HTTP (an error status, GET /hub) and drops the connection once
    // the answer is written.
    void respond(const QByteArray &response);
    // Completes the upgrade: writes the 101 response. Called from requestReceived.
    void accept(const Ws::Request &request);

signals:
    // A complete request head arrived; the acceptor answers it (respond) or upgrades (accept).
    void requestReceived(const Parley::Hub::Ws::Request &request);
    // The peer broke the protocol; the connection is being closed with this code.
    void protocolError(quint16 code, const QString &reason);

private:
    void onReadyRead();
    void processFrames();
    void finish();
    // Drops the connection once what was written is sent, or resets it after a grace period.
    void closeAfterWrite();
    // Drops the TCP connection with a reset, discarding what is still queued (for a peer that
    // did not read it within the close grace).
    void reset();

    QTcpSocket *m_socket; // owned
    CorkedWriter m_writer;
    Ws::FrameReader m_reader;
    QByteArray m_handshakeBuffer;
    State m_state = State::Handshaking;
    bool m_upgradePending = false;
};

} // namespace Parley::Hub
