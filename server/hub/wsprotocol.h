#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

#include <optional>

namespace Parley::Hub::Ws {

// RFC 6455 on the server side, as pure functions over bytes: the HTTP upgrade request and
// response, incremental frame parsing with limits, and frame building. Owning no socket keeps
// it testable and lets a broadcast build its frame once for every subscriber.

struct Request
{
    QByteArray method;
    QByteArray path; // without the query
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray header(QByteArrayView name) const; // first value, empty if absent
};

enum class ParseStatus { Incomplete, Complete, Invalid };

// Parses an upgrade request at the start of `buffer`. On Complete, *consumed is the request's
// length. Invalid also covers a request over maxBytes.
ParseStatus parseRequest(const QByteArray &buffer, Request *request, qsizetype *consumed,
                         QString *error, qsizetype maxBytes = 8192);
// Empty if the request is a valid WebSocket upgrade; otherwise why not.
QString upgradeError(const Request &request);
QByteArray acceptKey(const QByteArray &clientKey);
QByteArray upgradeResponse(const Request &request);
QByteArray httpError(int status, const QByteArray &reason);
// A whole answer with a body, closing the connection after it (the hub's HTTP side).
QByteArray httpResponse(int status, const QByteArray &reason, const QByteArray &contentType,
                        const QByteArray &body);

enum Opcode : quint8 { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9,
                       Pong = 0xA };

// An unmasked server frame (FIN set).
QByteArray frame(Opcode opcode, QByteArrayView payload);
QByteArray textFrame(QByteArrayView utf8);
QByteArray closeFrame(quint16 code, const QString &reason);

// Reassembles client frames into messages. Feed it bytes; take messages until it says there are
// none. On a violation it stops with the close code to send.
class FrameReader
{
public:
    struct Message
    {
        Opcode opcode = Text; // Text, Binary, Close, Ping or Pong
        QByteArray payload;
    };

    explicit FrameReader(qint64 maxMessageBytes) : m_maxMessageBytes(maxMessageBytes) { }

    void append(const QByteArray &bytes);
    // A complete message, or nullopt when more bytes are needed or an error occurred.
    std::optional<Message> next();
    bool hasError() const { return m_errorCode != 0; }
    quint16 errorCode() const { return m_errorCode; }
    QString errorReason() const { return m_errorReason; }
    qsizetype bufferedBytes() const { return m_buffer.size() - m_offset; }

private:
    std::optional<Message> fail(quint16 code, const QString &reason);

    QByteArray m_buffer;
    qsizetype m_offset = 0;
    qint64 m_maxMessageBytes;
    QByteArray m_fragments; // payload of an unfinished fragmented message
    Opcode m_fragmentOpcode = Continuation;
    quint16 m_errorCode = 0;
    QString m_errorReason;
};

bool isValidUtf8(QByteArrayView bytes);
// Close codes an endpoint may send (RFC 6455 7.4): 1000-1003, 1007-1011, 3000-4999.
bool isValidCloseCode(quint16 code);

} // namespace Parley::Hub::Ws
