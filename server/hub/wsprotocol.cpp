#include "hub/wsprotocol.h"

#include "protocol/events.h"

#include <QCryptographicHash>
#include <QUrl>

namespace Parley::Hub::Ws {

using namespace Parley::Protocol;

QByteArray Request::header(QByteArrayView name) const
{
    for (const auto &[key, value] : headers) {
        if (key == name)
            return value;
    }
    return {};
}

ParseStatus parseRequest(const QByteArray &buffer, Request *request, qsizetype *consumed,
                         QString *error, qsizetype maxBytes)
{
    // A request starts with its method, in capitals. Anything else (a TLS ClientHello at a plain
    // ws:// hub begins 0x16 0x03) is answered at once, not waited on until the handshake
    // timeout: a client that expected TLS learns now that the hub speaks none.
    if (!buffer.isEmpty() && (buffer.at(0) < 'A' || buffer.at(0) > 'Z')) {
        *error = QStringLiteral("not an HTTP request");
        return ParseStatus::Invalid;
    }
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        if (buffer.size() > maxBytes) {
            *error = QStringLiteral("request too large");
            return ParseStatus::Invalid;
        }
        return ParseStatus::Incomplete;
    }
    if (end > maxBytes) {
        *error = QStringLiteral("request too large");
        return ParseStatus::Invalid;
    }
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.")) {
        *error = QStringLiteral("malformed request line");
        return ParseStatus::Invalid;
    }
    Request parsed;
    parsed.method = requestLine[0];
    const QByteArray target = requestLine[1];
    const qsizetype question = target.indexOf('?');
    parsed.path = question < 0 ? target : target.left(question);
    if (question >= 0) {
        // phoenix.js encodes with encodeURIComponent (space = %20); form encoding, as Plug
        // accepts it, writes a space as '+'. A literal plus arrives as %2B either way.
        QByteArray query = target.mid(question + 1);
        query.replace('+', "%20");
        parsed.query.setQuery(QString::fromUtf8(query));
    }
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            *error = QStringLiteral("malformed header line");
            return ParseStatus::Invalid;
        }
        parsed.headers.append({ line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed() });
    }
    *request = std::move(parsed);
    *consumed = end + 4;
    return ParseStatus::Complete;
}

QString upgradeError(const Request &request)
{
    if (request.method != "GET")
        return QStringLiteral("method must be GET");
    if (!request.header("upgrade").toLower().contains("websocket"))
        return QStringLiteral("missing Upgrade: websocket");
    if (!request.header("connection").toLower().contains("upgrade"))
        return QStringLiteral("missing Connection: upgrade");
    if (request.header("sec-websocket-version") != "13")
        return QStringLiteral("unsupported Sec-WebSocket-Version");
    if (QByteArray::fromBase64(request.header("sec-websocket-key")).size() != 16)
        return QStringLiteral("bad Sec-WebSocket-Key");
    return {};
}

QByteArray acceptKey(const QByteArray &clientKey)
{
    return QCryptographicHash::hash(clientKey + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
                                    QCryptographicHash::Sha1)
            .toBase64();
}

QByteArray upgradeResponse(const Request &request)
{
    QByteArray response = "HTTP/1.1 101 Switching Protocols\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Accept: ";
    response += acceptKey(request.header("sec-websocket-key"));
    response += "\r\n";
    // phoenix.js with authToken offers "phoenix" plus a bearer entry; browsers abort unless one
    // offered subprotocol is echoed.
    const QList<QByteArray> offered = request.header("sec-websocket-protocol").split(',');
    for (const QByteArray &protocol : offered) {
        if (protocol.trimmed() == "phoenix") {
            response += "Sec-WebSocket-Protocol: phoenix\r\n";
            break;
        }
    }
    response += "\r\n";
    return response;
}

QByteArray httpError(int status, const QByteArray &reason)
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
            + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

QByteArray httpResponse(int status, const QByteArray &reason, const QByteArray &contentType,
                        const QByteArray &body)
{
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\nContent-Type: "
        + contentType + "\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: "
          "close\r\n\r\n"
        + body;
}

QByteArray frame(Opcode opcode, QByteArrayView payload)
{
    QByteArray bytes;
    const qsizetype size = payload.size();
    bytes.reserve(size + 10);
    bytes.append(char(0x80 | opcode));
    if (size < 126) {
        bytes.append(char(size));
    } else if (size <= 0xFFFF) {
        bytes.append(char(126));
        bytes.append(char(size >> 8));
        bytes.append(char(size & 0xFF));
    } else {
        bytes.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            bytes.append(char((quint64(size) >> shift) & 0xFF));
    }
    bytes.append(payload.data(), size);
    return bytes;
}

QByteArray textFrame(QByteArrayView utf8)
{
    return frame(Text, utf8);
}

QByteArray closeFrame(quint16 code, const QString &reason)
{
    QByteArray payload;
    payload.append(char(code >> 8));
    payload.append(char(code & 0xFF));
    // A control frame holds 125 bytes. Cut on a character boundary: peers fail the connection
    // (1007) on a close reason that is not valid UTF-8.
    QByteArray utf8 = reason.toUtf8();
    if (utf8.size() > 123) {
        qsizetype cut = 123;
        while (cut > 0 && (quint8(utf8.at(cut)) & 0xC0) == 0x80)
            --cut;
        utf8.truncate(cut);
    }
    payload.append(utf8);
    return frame(Close, payload);
}

void FrameReader::append(const QByteArray &bytes)
{
    if (m_offset == m_buffer.size()) {
        // Everything was consumed: share the new bytes instead of keeping the old capacity.
        m_buffer = bytes;
        m_offset = 0;
        return;
    }
    if (m_offset > 64 * 1024) {
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    m_buffer.append(bytes);
}

std::optional<FrameReader::Message> FrameReader::fail(quint16 code, const QString &reason)
{
    m_errorCode = code;
    m_errorReason = reason;
    return std::nullopt;
}

std::optional<FrameReader::Message> FrameReader::next()
{
    while (!hasError()) {
        const auto *data = reinterpret_cast<const quint8 *>(m_buffer.constData()) + m_offset;
        const qsizetype available = m_buffer.size() - m_offset;
        if (available == 0 && !m_buffer.isNull()) {
            m_buffer = QByteArray(); // idle connections keep no buffer
            m_offset = 0;
        }
        if (available < 2)
            return std::nullopt;
        const bool fin = data[0] & 0x80;
        const quint8 rsv = data[0] & 0x70;
        const quint8 opcode = data[0] & 0x0F;
        const bool masked = data[1] & 0x80;
        quint64 length = data[1] & 0x7F;
        qsizetype headerSize = 2;
        if (length == 126) {
            headerSize = 4;
            if (available < headerSize)
                return std::nullopt;
            length = (quint64(data[2]) << 8) | data[3];
        } else if (length == 127) {
            headerSize = 10;
            if (available < headerSize)
                return std::nullopt;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = (length << 8) | data[i];
            if (length >> 63)
                return fail(CloseCode::ProtocolError, QStringLiteral("bad frame length"));
        }
        if (rsv)
            return fail(CloseCode::ProtocolError, QStringLiteral("reserved bits set"));
        if (!masked)
            return fail(CloseCode::ProtocolError, QStringLiteral("client frames must be masked"));
        const bool control = opcode & 0x08;
        if (control && (!fin || length > 125))
            return fail(CloseCode::ProtocolError, QStringLiteral("bad control frame"));
        if (opcode != Continuation && opcode != Text && opcode != Binary && opcode != Close
            && opcode != Ping && opcode != Pong)
            return fail(CloseCode::ProtocolError, QStringLiteral("unknown opcode"));
        if (!control && quint64(m_fragments.size()) + length > quint64(m_maxMessageBytes))
            return fail(CloseCode::TooBig, QStringLiteral("frame too big"));
        headerSize += 4;
        if (quint64(available) < quint64(headerSize) + length)
            return std::nullopt;
        const quint8 *mask = data + headerSize - 4;
        QByteArray payload(reinterpret_cast<const char *>(data + headerSize), qsizetype(length));
        for (qsizetype i = 0; i < payload.size(); ++i)
            payload[i] = char(payload[i] ^ mask[i & 3]);
        m_offset += headerSize + qsizetype(length);

        if (control)
            return Message { Opcode(opcode), payload };
        if (opcode == Continuation) {
            if (m_fragmentOpcode == Continuation)
                return fail(CloseCode::ProtocolError, QStringLiteral("unexpected continuation"));
            m_fragments += payload;
        } else {
            if (m_fragmentOpcode != Continuation)
                return fail(CloseCode::ProtocolError, QStringLiteral("expected continuation"));
            m_fragmentOpcode = Opcode(opcode);
            m_fragments = payload;
        }
        if (!fin)
            continue;
        Message message { m_fragmentOpcode, std::exchange(m_fragments, {}) };
        m_fragmentOpcode = Continuation;
        if (message.opcode == Text && !isValidUtf8(message.payload))
            return fail(CloseCode::BadData, QStringLiteral("invalid UTF-8"));
        return message;
    }
    return std::nullopt;
}

bool isValidCloseCode(quint16 code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011)
            || (code >= 3000 && code <= 4999);
}

bool isValidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const quint8 *>(bytes.data());
    const auto *end = p + bytes.size();
    while (p < end) {
        const quint8 c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra;
        quint32 codePoint;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            codePoint = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            codePoint = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            codePoint = c & 0x07;
        } else {
            return false;
        }
        if (end - p <= extra)
            return false;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            codePoint = (codePoint << 6) | (p[i] & 0x3F);
        }
        static constexpr quint32 minimum[] = { 0, 0x80, 0x800, 0x10000 };
        if (codePoint < minimum[extra] || codePoint > 0x10FFFF
            || (codePoint >= 0xD800 && codePoint <= 0xDFFF))
            return false;
        p += extra + 1;
    }
    return true;
}

} // namespace Parley::Hub::Ws
