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
    : Transport(parent), m_socket(socket), m_writer(socket, batch), m_reader(maxMessageBytes)
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::readyRead, this, &WsConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &WsConnection::finish);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            finish();
    });
}

WsConnection::~WsConnection() = default;

QHostAddress WsConnection::peerAddress() const
{
    return m_socket->peerAddress();
}

quint16 WsConnection::peerPort() const
{
    return m_socket->peerPort();
}

void WsConnection::sendText(QByteArrayView utf8)
{
    if (m_state == State::Open)
        m_writer.write(Ws::textFrame(utf8));
}

void WsConnection::sendFrame(const QByteArray &frame)
{
    if (m_state == State::Open)
        m_writer.write(frame);
}

void WsConnection::accept(const Ws::Request &request)
{
    if (m_state != State::Handshaking)
        return;
    m_writer.write(Ws::upgradeResponse(request));
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
        m_writer.write(Ws::closeFrame(code, reason));
    closeAfterWrite();
}

void WsConnection::respond(const QByteArray &response)
{
    if (m_state != State::Handshaking)
        return;
    m_writer.write(response);
    closeAfterWrite();
}

void WsConnection::closeAfterWrite()
{
    m_state = State::Closing;
    m_writer.flush(); // the batch may still list this writer; its flush finds nothing left
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
            respond(Ws::httpError(400, "Bad Request"));
            return;
        case Ws::ParseStatus::Complete:
            break;
        }
        m_handshakeBuffer
            = consumed < m_handshakeBuffer.size() ? m_handshakeBuffer.mid(consumed) : QByteArray();
        m_upgradePending = true;
        emit requestReceived(request);
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
            m_writer.write(Ws::frame(Ws::Pong, message->payload));
            break;
        case Ws::Pong:
            break;
        case Ws::Close: {
            // Echo the peer's code, as RFC 6455 asks, then drop the connection. A code that
            // may not travel on the wire (1005, 1006, unassigned) or a 1-byte body is a
            // protocol error.
            const QByteArray &body = message->payload;
            if (body.isEmpty()) {
                m_writer.write(Ws::frame(Ws::Close, {}));
            } else {
                const quint16 code = body.size() >= 2
                        ? quint16((quint8(body[0]) << 8) | quint8(body[1]))
                        : 0;
                m_writer.write(Ws::closeFrame(Ws::isValidCloseCode(code) && body.size() >= 2
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
