#include "hub/wsconnection.h"

#include "hub/logging.h"
#include "hub/writebatch.h"
#include "protocol/events.h"

#include <QSslSocket>
#include <QTimer>

#include <sys/socket.h>

namespace Parley::Hub {

using namespace Parley::Protocol;

namespace {
constexpr int closeGraceMs = 2000; // how long a closing peer gets to read our close frame
}

WsConnection::WsConnection(QTcpSocket *socket, qint64 maxMessageBytes, WriteBatch *batch,
                           QObject *parent)
    : QObject(parent),
      m_socket(socket),
      m_reader(maxMessageBytes),
      m_batch(batch),
      m_directSend(!qobject_cast<QSslSocket *>(socket))
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::readyRead, this, &WsConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &WsConnection::finish);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            finish();
    });
}

WsConnection::~WsConnection()
{
    if (m_inBatch)
        m_batch->forget(this);
}

QHostAddress WsConnection::peerAddress() const
{
    return m_socket->peerAddress();
}

quint16 WsConnection::peerPort() const
{
    return m_socket->peerPort();
}

qint64 WsConnection::queuedBytes() const
{
    // Asked after every frame: only look into the socket once it has been left a backlog.
    return m_queued.size() + (m_socketBacklog ? m_socket->bytesToWrite() : 0);
}

void WsConnection::sendText(QByteArrayView utf8)
{
    if (m_state == State::Open)
        enqueue(Ws::textFrame(utf8));
}

void WsConnection::sendFrame(const QByteArray &frame)
{
    if (m_state == State::Open)
        enqueue(frame);
}

void WsConnection::enqueue(const QByteArray &bytes)
{
    if (!m_batch) {
        m_socket->write(bytes);
        m_socketBacklog = true;
        return;
    }
    if (m_queued.isEmpty())
        m_queued = bytes; // shares a broadcast frame's buffer: no copy for the usual single frame
    else
        m_queued += bytes;
    if (!m_inBatch) {
        m_inBatch = true;
        m_batch->add(this);
    }
}

void WsConnection::flushQueued()
{
    m_inBatch = false;
    sendQueued();
}

void WsConnection::sendQueued()
{
    const QByteArray bytes = std::exchange(m_queued, {});
    if (bytes.isEmpty() || m_state == State::Closed)
        return;
    qsizetype sent = 0;
    m_socketBacklog = m_socketBacklog && m_socket->bytesToWrite() > 0;
    if (m_directSend && !m_socketBacklog) {
        // Non-blocking and no SIGPIPE. A failure leaves the bytes to QTcpSocket, whose own
        // write then reports the error and the disconnect the usual way.
        const ssize_t n = ::send(int(m_socket->socketDescriptor()), bytes.constData(),
                                 size_t(bytes.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0)
            sent = n;
    }
    if (sent < bytes.size()) {
        m_socket->write(bytes.constData() + sent, bytes.size() - sent);
        m_socketBacklog = true;
    }
}

void WsConnection::accept(const Ws::Request &request)
{
    if (m_state != State::Handshaking)
        return;
    enqueue(Ws::upgradeResponse(request));
    m_state = State::Open;
    m_upgradePending = false;
    // Frames that arrived right behind the request.
    if (!m_handshakeBuffer.isEmpty()) {
        m_reader.append(std::exchange(m_handshakeBuffer, {}));
        QMetaObject::invokeMethod(this, &WsConnection::processFrames, Qt::QueuedConnection);
    }
}

void WsConnection::close(quint16 code, const QString &reason)
{
    if (m_state == State::Closed || m_state == State::Closing)
        return;
    if (m_state == State::Open)
        enqueue(Ws::closeFrame(code, reason));
    closeAfterWrite();
}

void WsConnection::reject(int status, const QByteArray &reason)
{
    if (m_state != State::Handshaking)
        return;
    enqueue(Ws::httpError(status, reason));
    closeAfterWrite();
}

void WsConnection::closeAfterWrite()
{
    m_state = State::Closing;
    sendQueued(); // the batch still lists this connection; its flush finds nothing left
    m_socket->flush();
    m_socket->disconnectFromHost();
    QTimer::singleShot(closeGraceMs, this, [this] {
        if (m_state != State::Closed)
            reset(); // the peer did not read what was left for it, the close frame included
    });
}

void WsConnection::abort()
{
    m_socket->abort();
    finish();
}

void WsConnection::reset()
{
    // A plain close() would leave what the peer did not read (up to the kernel's send buffer,
    // megabytes for a stalled reader) to an orphaned socket that keeps retrying for minutes.
    // Linger 0 makes the close a reset: the buffers are freed now and the peer learns at once.
    const qintptr fd = m_socket->socketDescriptor();
    if (fd >= 0) {
        const linger hard { 1, 0 };
        ::setsockopt(int(fd), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    }
    m_socket->abort();
}

void WsConnection::onReadyRead()
{
    // read(bytesAvailable()) allocates what arrived; readAll() grows in 16 KiB steps and the
    // buffers it returns are kept by the reader, which cost ~30 KB per idle connection.
    const QByteArray bytes = m_socket->read(m_socket->bytesAvailable());
    if (bytes.isEmpty())
        return;
    emit activity();
    if (m_state == State::Handshaking) {
        if (m_upgradePending) {
            m_handshakeBuffer += bytes;
            return;
        }
        m_handshakeBuffer += bytes;
        Ws::Request request;
        qsizetype consumed = 0;
        QString error;
        switch (Ws::parseRequest(m_handshakeBuffer, &request, &consumed, &error)) {
        case Ws::ParseStatus::Incomplete:
            return;
        case Ws::ParseStatus::Invalid:
            reject(400, "Bad Request");
            return;
        case Ws::ParseStatus::Complete:
            break;
        }
        m_handshakeBuffer = consumed < m_handshakeBuffer.size() ? m_handshakeBuffer.mid(consumed)
                                                                : QByteArray();
        if (const QString why = Ws::upgradeError(request); !why.isEmpty()) {
            qCDebug(lcHub) << "refused upgrade:" << why;
            reject(400, "Bad Request");
            return;
        }
        m_upgradePending = true;
        emit upgradeRequested(request);
        return;
    }
    if (m_state != State::Open)
        return; // closing: the peer's remaining frames are of no interest
    m_reader.append(bytes);
    processFrames();
}

void WsConnection::processFrames()
{
    while (m_state == State::Open) {
        std::optional<Ws::FrameReader::Message> message = m_reader.next();
        if (!message) {
            if (m_reader.hasError()) {
                const quint16 code = m_reader.errorCode();
                const QString reason = m_reader.errorReason();
                close(code, reason);
                emit protocolError(code, reason);
            }
            return;
        }
        switch (message->opcode) {
        case Ws::Text:
            emit textReceived(message->payload);
            break;
        case Ws::Binary:
            close(CloseCode::BadData, QStringLiteral("binary frames are not supported"));
            emit protocolError(CloseCode::BadData, QStringLiteral("binary frame"));
            return;
        case Ws::Ping:
            enqueue(Ws::frame(Ws::Pong, message->payload));
            break;
        case Ws::Pong:
            break;
        case Ws::Close: {
            // Echo the peer's code, as RFC 6455 asks, then drop the connection. A code that
            // may not travel on the wire (1005, 1006, unassigned) or a 1-byte body is a
            // protocol error.
            const QByteArray &body = message->payload;
            if (body.isEmpty()) {
                enqueue(Ws::frame(Ws::Close, {}));
            } else {
                const quint16 code = body.size() >= 2
                        ? quint16((quint8(body[0]) << 8) | quint8(body[1]))
                        : 0;
                enqueue(Ws::closeFrame(Ws::isValidCloseCode(code) && body.size() >= 2
                                                       ? code
                                                       : CloseCode::ProtocolError,
                                               {}));
            }
            closeAfterWrite();
            return;
        }
        default:
            break;
        }
    }
}

void WsConnection::finish()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    emit disconnected();
}

} // namespace Parley::Hub
