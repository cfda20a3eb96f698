#include "handmadewebsocket.h"

#include "testhub.h"

#include <QSslSocket>
#include <QTest>

namespace Parley::Testing {

HandmadeWebSocket::HandmadeWebSocket(QObject *parent)
    : QObject(parent)
    , m_socket(new QSslSocket(this)) // plain TCP unless the URL is wss://
{
    connect(m_socket, &QTcpSocket::readyRead, this, &HandmadeWebSocket::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] { m_disconnected = true; });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        if (m_socket->state() != QAbstractSocket::ConnectedState)
            m_disconnected = true;
    });
}

HandmadeWebSocket::~HandmadeWebSocket()
{
    m_socket->abort();
}

QByteArray HandmadeWebSocket::clientFrame(quint8 finRsvOpcode, const QByteArray &payload,
                                          bool masked)
{
    static constexpr quint8 key[4] = { 0x37, 0xfa, 0x21, 0x3d };
    QByteArray frame;
    frame.append(char(finRsvOpcode));
    const quint8 maskBit = masked ? 0x80 : 0x00;
    const quint64 size = quint64(payload.size());
    if (size < 126) {
        frame.append(char(maskBit | size));
    } else if (size <= 0xFFFF) {
        frame.append(char(maskBit | 126));
        frame.append(char(size >> 8));
        frame.append(char(size & 0xFF));
    } else {
        frame.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((size >> shift) & 0xFF));
    }
    if (!masked)
        return frame + payload;
    frame.append(reinterpret_cast<const char *>(key), 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload.at(i) ^ key[i & 3]));
    return frame;
}

void HandmadeWebSocket::open(const QUrl &url)
{
    const bool tls = url.scheme() == QLatin1String("wss");
    if (tls) {
        trustTestHubs(m_socket);
        m_socket->connectToHostEncrypted(url.host(), quint16(url.port(443)));
    } else {
        m_socket->connectToHost(url.host(), quint16(url.port(80)));
    }
    QByteArray target = url.path(QUrl::FullyEncoded).toUtf8();
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toUtf8();
    const QByteArray request = "GET " + target
        + " HTTP/1.1\r\n"
          "Host: "
        + (m_hostHeader.isEmpty() ? url.host().toUtf8() + ':' + QByteArray::number(url.port(80))
                                  : m_hostHeader)
        + "\r\n"
          "Upgrade: websocket\r\n"
          "Connection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Version: 13\r\n\r\n";
    const auto send = [this, request] { m_socket->write(request); };
    if (tls)
        connect(m_socket, &QSslSocket::encrypted, this, send, Qt::SingleShotConnection);
    else
        connect(m_socket, &QTcpSocket::connected, this, send, Qt::SingleShotConnection);
}

void HandmadeWebSocket::setLocalAddress(const QHostAddress &address)
{
    m_socket->bind(address, 0);
}

void HandmadeWebSocket::sendText(const QByteArray &utf8)
{
    m_socket->write(clientFrame(0x81, utf8));
}

int HandmadeWebSocket::waitForText(const QByteArray &needle, int from, int timeoutMs)
{
    int found = -1;
    QTest::qWaitFor(
        [&] {
            for (int i = from; i < m_texts.size(); ++i) {
                if (m_texts.at(i).contains(needle)) {
                    found = i;
                    return true;
                }
            }
            return m_disconnected;
        },
        timeoutMs);
    return found;
}

bool HandmadeWebSocket::waitForUpgrade(int timeoutMs)
{
    return QTest::qWaitFor([this] { return !m_responseHead.isEmpty() || m_disconnected; },
                           timeoutMs)
        && m_upgraded;
}

void HandmadeWebSocket::sendRaw(const QByteArray &bytes)
{
    m_socket->write(bytes);
}

bool HandmadeWebSocket::waitForClose(int timeoutMs)
{
    return QTest::qWaitFor([this] { return hasCloseFrame() || m_disconnected; }, timeoutMs)
        && hasCloseFrame();
}

bool HandmadeWebSocket::waitForDisconnected(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_disconnected; }, timeoutMs);
}

void HandmadeWebSocket::onReadyRead()
{
    m_buffer += m_socket->readAll();
    if (m_responseHead.isEmpty()) {
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        m_responseHead = m_buffer.left(end + 4);
        m_buffer.remove(0, end + 4);
        m_upgraded = m_responseHead.startsWith("HTTP/1.1 101 ");
    }
    if (m_upgraded)
        parseFrames();
}

void HandmadeWebSocket::parseFrames()
{
    for (;;) {
        const auto *data = reinterpret_cast<const quint8 *>(m_buffer.constData());
        const qsizetype available = m_buffer.size();
        if (available < 2)
            return;
        const quint8 opcode = data[0] & 0x0F;
        quint64 length = data[1] & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            header = 4;
            if (available < header)
                return;
            length = (quint64(data[2]) << 8) | data[3];
        } else if (length == 127) {
            header = 10;
            if (available < header)
                return;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = (length << 8) | data[i];
        }
        if (quint64(available) < quint64(header) + length)
            return;
        const QByteArray payload = m_buffer.mid(header, qsizetype(length));
        m_buffer.remove(0, header + qsizetype(length));
        if (opcode == 0x1) {
            m_texts.append(payload);
        } else if (opcode == 0x8) {
            m_closeCode
                = payload.size() >= 2 ? (quint8(payload[0]) << 8) | quint8(payload[1]) : 1005;
            m_closeReason = QString::fromUtf8(payload.mid(2));
        }
    }
}

} // namespace Parley::Testing
