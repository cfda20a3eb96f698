#include "hub/qtwebsockettransport.h"

#include "hub/wsprotocol.h"
#include "protocol/events.h"

#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>

#include <sys/socket.h>

namespace Parley::Hub {

using namespace Parley::Protocol;

namespace {
constexpr int closeGraceMs = 2000; // how long a closing peer gets to read our close frame
}

QtWebSocketTransport::QtWebSocketTransport(QWebSocket *webSocket, QTcpSocket *socket,
                                           qint64 maxMessageBytes, WriteBatch *batch,
                                           QObject *parent)
    : Transport(parent), m_webSocket(webSocket), m_socket(socket), m_writer(socket, batch),
      m_peer(webSocket->peerAddress())
{
    m_webSocket->setParent(this);
    m_webSocket->setMaxAllowedIncomingMessageSize(quint64(maxMessageBytes));
    m_webSocket->setMaxAllowedIncomingFrameSize(quint64(maxMessageBytes));
    connect(m_webSocket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        if (m_open)
            emit textReceived(text.toUtf8());
    });
    connect(m_webSocket, &QWebSocket::binaryMessageReceived, this, [this] {
        close(CloseCode::BadData, QStringLiteral("binary frames are not supported"));
    });
    // QWebSocket sent a close frame (ours, its answer to the peer's, or a protocol error's):
    // nothing may follow it on the wire.
    connect(m_webSocket, &QWebSocket::aboutToClose, this, [this] {
        m_open = false;
        m_writer.discard();
    });
    connect(m_webSocket, &QWebSocket::disconnected, this, &QtWebSocketTransport::finish);
    if (m_socket) {
        connect(m_socket, &QTcpSocket::readyRead, this, &Transport::activity);
        connect(m_socket, &QObject::destroyed, this, &QtWebSocketTransport::finish);
    }
}

QtWebSocketTransport::~QtWebSocketTransport()
{
    // QWebSocket's destructor would send "going away" to a connection still open: the hub
    // always closes with its own code first, so this only drops what is left.
    m_webSocket->abort();
}

QHostAddress QtWebSocketTransport::peerAddress() const
{
    return m_peer;
}

void QtWebSocketTransport::sendText(QByteArrayView utf8)
{
    if (m_open)
        m_writer.write(Ws::textFrame(utf8));
}

void QtWebSocketTransport::sendFrame(const QByteArray &frame)
{
    if (m_open)
        m_writer.write(frame);
}

void QtWebSocketTransport::close(quint16 code, const QString &reason)
{
    if (!m_open)
        return;
    m_writer.flush(); // what was written before the close goes out before it
    m_open = false;
    m_webSocket->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
    QTimer::singleShot(closeGraceMs, this, [this] {
        if (!m_finished)
            reset(); // the peer did not read what was left for it, the close frame included
    });
}

void QtWebSocketTransport::abort()
{
    m_open = false;
    m_writer.discard();
    m_webSocket->abort();
    finish();
}

void QtWebSocketTransport::reset()
{
    // A plain close() would leave what the peer did not read (up to the kernel's send buffer)
    // to an orphaned socket that keeps retrying for minutes. Linger 0 makes the close a
    // reset: the buffers are freed now and the peer learns at once.
    if (m_socket && m_socket->socketDescriptor() >= 0) {
        const linger hard { 1, 0 };
        ::setsockopt(int(m_socket->socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    m_webSocket->abort();
    finish();
}

void QtWebSocketTransport::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_open = false;
    m_writer.discard();
    emit disconnected();
}

} // namespace Parley::Hub
