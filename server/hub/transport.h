#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QObject>
#include <QString>
#include <QUrlQuery>

namespace Parley::Hub {

// What the hub learns from a WebSocket upgrade request: where it went and with which params.
struct UpgradeRequest
{
    QByteArray path; // without the query
    QUrlQuery query; // the connect params
    QString host; // the Host header as received (for the origin check only)
    QString origin; // empty for native clients
};

// One accepted WebSocket connection, as the hub sees it: text messages in, text frames out
// (a broadcast's frame is built once and shared), a close with code and reason, and the bytes
// the peer has not taken yet. Two implementations: QtWebSocketTransport (QWebSocketServer does
// the protocol, the default) and WsConnection (the hub's own RFC 6455 code, --transport epoll).
// Owned by its Connection; hub thread.
class Transport : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // Frames `utf8` as one text message.
    virtual void sendText(QByteArrayView utf8) = 0;
    // Writes a complete text frame built once for every subscriber (Ws::textFrame).
    virtual void sendFrame(const QByteArray &frame) = 0;
    // Sends a close frame after what is queued and drops the connection once the peer has it
    // (or resets it after a grace period, if the peer does not read).
    virtual void close(quint16 code, const QString &reason) = 0;
    // Drops the connection now, sending nothing more.
    virtual void abort() = 0;
    // Bytes written that the kernel has not taken yet.
    virtual qint64 queuedBytes() const = 0;
    virtual QHostAddress peerAddress() const = 0;
    virtual bool isOpen() const = 0;

signals:
    void textReceived(const QByteArray &utf8);
    void activity(); // any bytes arrived
    void disconnected();
};

} // namespace Parley::Hub
