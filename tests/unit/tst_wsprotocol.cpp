// RFC 6455 on the hub side, without sockets: upgrade request parsing and checks, the accept
// key, FrameReader (lengths, masking, fragmentation, limits, UTF-8) and the frame builders.

#include "hub/wsprotocol.h"

#include "handmadewebsocket.h"

#include <QTest>

using namespace Parley::Hub::Ws;

Q_DECLARE_METATYPE(Parley::Hub::Ws::ParseStatus)
Q_DECLARE_METATYPE(Parley::Hub::Ws::Opcode)

namespace {

constexpr quint8 Fin = 0x80;

// A client frame, masked unless told otherwise: the same builder the hand-made test client uses.
QByteArray clientFrame(quint8 finRsvOpcode, const QByteArray &payload, bool masked = true)
{
    return Parley::Testing::HandmadeWebSocket::clientFrame(finRsvOpcode, payload, masked);
}

QByteArray text(const QByteArray &payload)
{
    return clientFrame(Fin | Text, payload);
}

const QByteArray goodRequest
    = "GET /socket/websocket?vsn=2.0.0&user_id=abcdefgh&nick=ana HTTP/1.1\r\n"
      "Host: 127.0.0.1:4000\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n"
      "\r\n";

Request parsed(const QByteArray &bytes)
{
    Request request;
    qsizetype consumed = 0;
    QString error;
    const ParseStatus status = parseRequest(bytes, &request, &consumed, &error);
    if (status != ParseStatus::Complete)
        qWarning() << "request did not parse:" << error;
    return request;
}

QByteArray withHeaders(const QByteArray &requestLine, const QByteArray &headers)
{
    return requestLine + "\r\n" + headers + "\r\n";
}

const QByteArray baseHeaders = "Host: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n";

// Everything the reader yields until it wants more bytes or fails.
QList<FrameReader::Message> drain(FrameReader &reader)
{
    QList<FrameReader::Message> messages;
    while (const std::optional<FrameReader::Message> message = reader.next())
        messages.append(*message);
    return messages;
}

} // namespace

class tst_WsProtocol : public QObject
{
    Q_OBJECT

private slots:
    void parsesCompleteRequest();
    void consumesOnlyTheRequest();
    void requestStatus_data();
    void requestStatus();
    void headerNamesAreCaseInsensitive();
    void decodesQueryParams_data();
    void decodesQueryParams();
    void refusesBadUpgrades_data();
    void refusesBadUpgrades();
    void acceptKeyMatchesRfcExample();
    void upgradeResponseIsExact();
    void upgradeResponseEchoesPhoenixSubprotocol();
    void httpErrorIsExact();

    void readsGoodFrames_data();
    void readsGoodFrames();
    void reassemblesFragments();
    void deliversControlFrameBetweenFragments();
    void readsByteByByte();
    void readsSeveralMessagesFromOneAppend();
    void acceptsUtf8SplitAcrossFragments();
    void acceptsMessageAtTheSizeLimit();
    void refusesBadFrames_data();
    void refusesBadFrames();
    void refusesOversizeBeforePayloadArrives();
    void errorIsSticky();
    void validatesUtf8_data();
    void validatesUtf8();

    void buildsFrameHeaders_data();
    void buildsFrameHeaders();
    void buildsCloseFrame();
    void closeFrameReasonStaysValidUtf8();
};

void tst_WsProtocol::parsesCompleteRequest()
{
    Request request;
    qsizetype consumed = 0;
    QString error;
    QCOMPARE(parseRequest(goodRequest, &request, &consumed, &error), ParseStatus::Complete);
    QCOMPARE(consumed, goodRequest.size());
    QCOMPARE(request.method, QByteArray("GET"));
    QCOMPARE(request.path, QByteArray("/socket/websocket"));
    QCOMPARE(request.query.queryItemValue(QStringLiteral("vsn")), QStringLiteral("2.0.0"));
    QCOMPARE(request.query.queryItemValue(QStringLiteral("user_id")), QStringLiteral("abcdefgh"));
    QCOMPARE(request.query.queryItemValue(QStringLiteral("nick")), QStringLiteral("ana"));
    QCOMPARE(request.header("host"), QByteArray("127.0.0.1:4000"));
    QCOMPARE(request.header("sec-websocket-key"), QByteArray("dGhlIHNhbXBsZSBub25jZQ=="));
    QCOMPARE(request.header("absent"), QByteArray());
    QCOMPARE(request.headers.size(), 5);
    QVERIFY(upgradeError(request).isEmpty());
}

void tst_WsProtocol::consumesOnlyTheRequest()
{
    // A client may send its first frame right behind the request.
    const QByteArray frame = text("[]");
    Request request;
    qsizetype consumed = 0;
    QString error;
    QCOMPARE(parseRequest(goodRequest + frame, &request, &consumed, &error), ParseStatus::Complete);
    QCOMPARE(consumed, goodRequest.size());
    QCOMPARE((goodRequest + frame).mid(consumed), frame);
}

void tst_WsProtocol::requestStatus_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qsizetype>("maxBytes");
    QTest::addColumn<ParseStatus>("status");

    QTest::addRow("complete") << goodRequest << qsizetype(8192) << ParseStatus::Complete;
    QTest::addRow("empty") << QByteArray() << qsizetype(8192) << ParseStatus::Incomplete;
    QTest::addRow("request line only")
        << QByteArray("GET / HTTP/1.1\r\n") << qsizetype(8192) << ParseStatus::Incomplete;
    QTest::addRow("missing final CRLF")
        << goodRequest.chopped(2) << qsizetype(8192) << ParseStatus::Incomplete;
    QTest::addRow("LF-only line ends")
        << QByteArray("GET / HTTP/1.1\nHost: h\n\n") << qsizetype(8192) << ParseStatus::Incomplete;
    QTest::addRow("no headers") << QByteArray("GET / HTTP/1.1\r\n\r\n") << qsizetype(8192)
                                << ParseStatus::Complete;
    QTest::addRow("HTTP/1.0") << QByteArray("GET / HTTP/1.0\r\n\r\n") << qsizetype(8192)
                              << ParseStatus::Complete;
    QTest::addRow("two-part request line")
        << QByteArray("GET /\r\n\r\n") << qsizetype(8192) << ParseStatus::Invalid;
    QTest::addRow("four-part request line")
        << QByteArray("GET / x HTTP/1.1\r\n\r\n") << qsizetype(8192) << ParseStatus::Invalid;
    QTest::addRow("HTTP/2") << QByteArray("GET / HTTP/2\r\n\r\n") << qsizetype(8192)
                            << ParseStatus::Invalid;
    QTest::addRow("not HTTP") << QByteArray("\x16\x03\x01\x02\x01\r\n\r\n") << qsizetype(8192)
                              << ParseStatus::Invalid;
    QTest::addRow("header without colon")
        << withHeaders("GET / HTTP/1.1", "Host h\r\n") << qsizetype(8192) << ParseStatus::Invalid;
    QTest::addRow("header with empty name")
        << withHeaders("GET / HTTP/1.1", ": h\r\n") << qsizetype(8192) << ParseStatus::Invalid;
    QTest::addRow("incomplete over the limit")
        << QByteArray("GET / HTTP/1.1\r\nX: ") + QByteArray(200, 'x') << qsizetype(100)
        << ParseStatus::Invalid;
    QTest::addRow("incomplete at the limit")
        << QByteArray("GET / HTTP/1.1\r\nX: ") + QByteArray(81, 'x') << qsizetype(100)
        << ParseStatus::Incomplete;
    QTest::addRow("complete over the limit")
        << withHeaders("GET / HTTP/1.1", "X: " + QByteArray(200, 'x') + "\r\n") << qsizetype(100)
        << ParseStatus::Invalid;
    QTest::addRow("complete within the limit")
        << withHeaders("GET / HTTP/1.1", "X: " + QByteArray(60, 'x') + "\r\n") << qsizetype(100)
        << ParseStatus::Complete;
    // A TLS ClientHello at a plain hub: refused at its first byte, not held until the timeout.
    QTest::addRow("a TLS record, incomplete")
        << QByteArray::fromHex("160301020001") << qsizetype(8192) << ParseStatus::Invalid;
    QTest::addRow("lowercase method")
        << QByteArray("get / HTTP/1.1") << qsizetype(8192) << ParseStatus::Invalid;
    QTest::addRow("default limit: 8 KiB of headers refused")
        << withHeaders("GET / HTTP/1.1", "X: " + QByteArray(9000, 'x') + "\r\n") << qsizetype(8192)
        << ParseStatus::Invalid;
}

void tst_WsProtocol::requestStatus()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qsizetype, maxBytes);
    QFETCH(ParseStatus, status);

    Request request;
    qsizetype consumed = -1;
    QString error;
    QCOMPARE(parseRequest(bytes, &request, &consumed, &error, maxBytes), status);
    if (status == ParseStatus::Invalid)
        QVERIFY(!error.isEmpty());
    if (status == ParseStatus::Complete)
        QCOMPARE(consumed, bytes.indexOf("\r\n\r\n") + 4);
}

void tst_WsProtocol::headerNamesAreCaseInsensitive()
{
    const Request request = parsed(withHeaders("GET /socket/websocket HTTP/1.1",
                                               "HOST: h\r\n"
                                               "UPGRADE:   WebSocket  \r\n"
                                               "connection: keep-alive, Upgrade\r\n"
                                               "Sec-Websocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                               "SEC-WEBSOCKET-VERSION:13\r\n"));
    QCOMPARE(request.header("upgrade"), QByteArray("WebSocket")); // value kept, trimmed
    QCOMPARE(request.header("connection"), QByteArray("keep-alive, Upgrade"));
    QCOMPARE(request.header("sec-websocket-version"), QByteArray("13"));
    QCOMPARE(request.headers.first().first, QByteArray("host"));
    QVERIFY(upgradeError(request).isEmpty());
}

void tst_WsProtocol::decodesQueryParams_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");

    QTest::addRow("plain") << QByteArray("nick=ana") << "nick"
                           << "ana";
    QTest::newRow("%20 is a space") << QByteArray("nick=Ana%20Maria") << "nick"
                                    << "Ana Maria";
    QTest::addRow("+ is a space") << QByteArray("nick=Ana+Maria") << "nick"
                                  << "Ana Maria";
    QTest::newRow("%2B is a plus") << QByteArray("password=a%2Bb") << "password"
                                   << "a+b";
    QTest::newRow("%26 is an ampersand") << QByteArray("nick=a%26b&x=1") << "nick"
                                         << "a&b";
    QTest::newRow("%3D is an equals sign") << QByteArray("password=a%3Db") << "password"
                                           << "a=b";
    QTest::addRow("percent-encoded UTF-8")
        << QByteArray("nick=%C5%BB%C3%B3%C5%82w") << "nick" << QStringLiteral("Żółw");
    QTest::addRow("raw UTF-8") << QByteArray("nick=\xc5\xbb\xc3\xb3\xc5\x82w") << "nick"
                               << QStringLiteral("Żółw");
    QTest::addRow("emoji") << QByteArray("nick=%F0%9F%98%80") << "nick" << QStringLiteral("😀");
    QTest::addRow("empty value") << QByteArray("nick=&vsn=2.0.0") << "vsn"
                                 << "2.0.0";
    QTest::addRow("last of several params") << QByteArray("a=1&b=2&vsn=2.0.0") << "vsn"
                                            << "2.0.0";
    QTest::addRow("missing") << QByteArray("a=1") << "vsn"
                             << "";
}

void tst_WsProtocol::decodesQueryParams()
{
    QFETCH(QByteArray, query);
    QFETCH(QString, key);
    QFETCH(QString, value);

    const Request request
        = parsed(withHeaders("GET /socket/websocket?" + query + " HTTP/1.1", baseHeaders));
    QCOMPARE(request.path, QByteArray("/socket/websocket"));
    // The hub reads params exactly like this.
    QCOMPARE(request.query.queryItemValue(key, QUrl::FullyDecoded), value);
}

void tst_WsProtocol::refusesBadUpgrades_data()
{
    QTest::addColumn<QByteArray>("requestLine");
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<bool>("ok");

    QTest::addRow("valid") << QByteArray("GET /socket/websocket HTTP/1.1") << baseHeaders << true;
    QTest::addRow("POST") << QByteArray("POST /socket/websocket HTTP/1.1") << baseHeaders << false;
    QTest::addRow("lower-case get")
        << QByteArray("get /socket/websocket HTTP/1.1") << baseHeaders << false;
    QTest::addRow("no Upgrade")
        << QByteArray("GET / HTTP/1.1")
        << QByteArray("Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n")
        << false;
    QTest::addRow("Upgrade: h2c")
        << QByteArray("GET / HTTP/1.1")
        << QByteArray(
               "Upgrade: h2c\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
        << false;
    QTest::addRow("no Connection")
        << QByteArray("GET / HTTP/1.1")
        << QByteArray("Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n")
        << false;
    QTest::addRow("Connection: keep-alive only")
        << QByteArray("GET / HTTP/1.1")
        << QByteArray(
               "Upgrade: websocket\r\nConnection: keep-alive\r\n"
               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
        << false;
    QTest::addRow("version 8")
        << QByteArray("GET / HTTP/1.1")
        << QByteArray("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n")
        << false;
    QTest::addRow("no version") << QByteArray("GET / HTTP/1.1")
                                << QByteArray("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n")
                                << false;
    QTest::addRow("no key")
        << QByteArray("GET / HTTP/1.1")
        << QByteArray("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
        << false;
    QTest::addRow("key of 15 bytes")
        << QByteArray("GET / HTTP/1.1")
        << QByteArray("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\nSec-WebSocket-Version: 13\r\n")
        << false;
    QTest::addRow("key not base64")
        << QByteArray("GET / HTTP/1.1")
        << QByteArray("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: hello\r\nSec-WebSocket-Version: 13\r\n")
        << false;
}

void tst_WsProtocol::refusesBadUpgrades()
{
    QFETCH(QByteArray, requestLine);
    QFETCH(QByteArray, headers);
    QFETCH(bool, ok);

    const QString error = Parley::Hub::Ws::upgradeError(parsed(withHeaders(requestLine, headers)));
    QCOMPARE(error.isEmpty(), ok);
}

void tst_WsProtocol::acceptKeyMatchesRfcExample()
{
    // RFC 6455 section 1.3.
    QCOMPARE(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
}

void tst_WsProtocol::upgradeResponseIsExact()
{
    QCOMPARE(upgradeResponse(parsed(goodRequest)),
             QByteArray("HTTP/1.1 101 Switching Protocols\r\n"
                        "Upgrade: websocket\r\n"
                        "Connection: Upgrade\r\n"
                        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                        "\r\n"));
}

void tst_WsProtocol::upgradeResponseEchoesPhoenixSubprotocol()
{
    const QByteArray withToken = upgradeResponse(parsed(withHeaders(
        "GET /socket/websocket HTTP/1.1",
        baseHeaders + "Sec-WebSocket-Protocol: phoenix, base64url.bearer.phx.czNjcjN0Pw\r\n")));
    QVERIFY(withToken.endsWith("Sec-WebSocket-Protocol: phoenix\r\n\r\n"));
    QVERIFY(!withToken.contains("bearer"));

    const QByteArray otherOnly = upgradeResponse(parsed(withHeaders(
        "GET /socket/websocket HTTP/1.1", baseHeaders + "Sec-WebSocket-Protocol: chat\r\n")));
    QVERIFY(!otherOnly.contains("Sec-WebSocket-Protocol"));
}

void tst_WsProtocol::httpErrorIsExact()
{
    QCOMPARE(
        httpError(404, "Not Found"),
        QByteArray("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
}

void tst_WsProtocol::readsGoodFrames_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<Opcode>("opcode");
    QTest::addColumn<QByteArray>("payload");

    const QByteArray json = R"([null,"1","phoenix","heartbeat",{}])";
    QTest::addRow("masked text") << text(json) << Text << json;
    QTest::addRow("empty text") << text({}) << Text << QByteArray();
    QTest::addRow("125 bytes, 7-bit length")
        << text(QByteArray(125, 'a')) << Text << QByteArray(125, 'a');
    QTest::addRow("126 bytes, 16-bit length")
        << text(QByteArray(126, 'b')) << Text << QByteArray(126, 'b');
    QTest::addRow("65535 bytes, 16-bit length")
        << text(QByteArray(65535, 'c')) << Text << QByteArray(65535, 'c');
    QTest::addRow("65536 bytes, 64-bit length")
        << text(QByteArray(65536, 'd')) << Text << QByteArray(65536, 'd');
    QTest::addRow("UTF-8 text") << text("za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87 \xf0\x9f\x98\x80")
                                << Text
                                << QByteArray(
                                       "za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87 \xf0\x9f\x98\x80");
    QTest::addRow("binary, not UTF-8") << clientFrame(Fin | Binary, QByteArray("\xff\x00\xfe", 3))
                                       << Binary << QByteArray("\xff\x00\xfe", 3);
    QTest::addRow("ping") << clientFrame(Fin | Ping, "p") << Ping << QByteArray("p");
    QTest::addRow("pong") << clientFrame(Fin | Pong, {}) << Pong << QByteArray();
    QTest::addRow("close with code")
        << clientFrame(Fin | Close, "\x03\xe8") << Close << QByteArray("\x03\xe8");
    QTest::addRow("zero mask key")
        << QByteArray("\x81\x82\x00\x00\x00\x00hi", 8) << Text << QByteArray("hi");
}

void tst_WsProtocol::readsGoodFrames()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Opcode, opcode);
    QFETCH(QByteArray, payload);

    FrameReader reader(1024 * 1024);
    reader.append(bytes);
    const QList<FrameReader::Message> messages = drain(reader);
    QVERIFY2(!reader.hasError(), qPrintable(reader.errorReason()));
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.first().opcode, opcode);
    QCOMPARE(messages.first().payload, payload);
    QCOMPARE(reader.bufferedBytes(), 0);
}

void tst_WsProtocol::reassemblesFragments()
{
    FrameReader reader(1024);
    reader.append(clientFrame(Text, "Hel"));
    QVERIFY(!reader.next());
    reader.append(clientFrame(Continuation, "lo, "));
    QVERIFY(!reader.next());
    reader.append(clientFrame(Fin | Continuation, "world"));
    const std::optional<FrameReader::Message> message = reader.next();
    QVERIFY(message);
    QCOMPARE(message->opcode, Text);
    QCOMPARE(message->payload, QByteArray("Hello, world"));
    QVERIFY(!reader.hasError());

    // The reader is ready for the next message.
    reader.append(clientFrame(Binary, "\x01"));
    reader.append(clientFrame(Fin | Continuation, "\x02"));
    const std::optional<FrameReader::Message> binary = reader.next();
    QVERIFY(binary);
    QCOMPARE(binary->opcode, Binary);
    QCOMPARE(binary->payload, QByteArray("\x01\x02"));
}

void tst_WsProtocol::deliversControlFrameBetweenFragments()
{
    FrameReader reader(1024);
    reader.append(clientFrame(Text, "one "));
    reader.append(clientFrame(Fin | Ping, "are you there"));
    reader.append(clientFrame(Fin | Continuation, "two"));
    const QList<FrameReader::Message> messages = drain(reader);
    QVERIFY2(!reader.hasError(), qPrintable(reader.errorReason()));
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages[0].opcode, Ping);
    QCOMPARE(messages[0].payload, QByteArray("are you there"));
    QCOMPARE(messages[1].opcode, Text);
    QCOMPARE(messages[1].payload, QByteArray("one two"));
}

void tst_WsProtocol::readsByteByByte()
{
    const QByteArray payload(300, 'x'); // 16-bit length: the header itself arrives in pieces
    const QByteArray bytes
        = text(payload) + clientFrame(Text, "a") + clientFrame(Fin | Continuation, "b");
    FrameReader reader(1024);
    QList<FrameReader::Message> messages;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        reader.append(bytes.mid(i, 1));
        const QList<FrameReader::Message> now = drain(reader);
        QVERIFY2(!reader.hasError(), qPrintable(reader.errorReason()));
        if (!now.isEmpty()) {
            // A message completes exactly with its last byte.
            QVERIFY(i == text(payload).size() - 1 || i == bytes.size() - 1);
        }
        messages += now;
    }
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages[0].payload, payload);
    QCOMPARE(messages[1].payload, QByteArray("ab"));
    QCOMPARE(reader.bufferedBytes(), 0);
}

void tst_WsProtocol::readsSeveralMessagesFromOneAppend()
{
    FrameReader reader(1024);
    reader.append(text("1") + text("22") + clientFrame(Fin | Ping, {}) + text("333")
                  + text("4").left(3));
    const QList<FrameReader::Message> messages = drain(reader);
    QCOMPARE(messages.size(), 4);
    QCOMPARE(messages[0].payload, QByteArray("1"));
    QCOMPARE(messages[1].payload, QByteArray("22"));
    QCOMPARE(messages[2].opcode, Ping);
    QCOMPARE(messages[3].payload, QByteArray("333"));
    QCOMPARE(reader.bufferedBytes(), 3); // the start of the next frame waits
    reader.append(text("4").mid(3));
    const std::optional<FrameReader::Message> last = reader.next();
    QVERIFY(last);
    QCOMPARE(last->payload, QByteArray("4"));
}

void tst_WsProtocol::acceptsUtf8SplitAcrossFragments()
{
    // "ż" is C5 BC: the check applies to the whole message, not to each fragment.
    FrameReader reader(1024);
    reader.append(clientFrame(Text, "a\xc5"));
    reader.append(clientFrame(Fin | Continuation, "\xbc"));
    const std::optional<FrameReader::Message> message = reader.next();
    QVERIFY2(message, qPrintable(reader.errorReason()));
    QCOMPARE(message->payload, QByteArray("a\xc5\xbc"));
}

void tst_WsProtocol::acceptsMessageAtTheSizeLimit()
{
    FrameReader single(100);
    single.append(text(QByteArray(100, 'x')));
    QVERIFY(single.next());

    FrameReader fragmented(100);
    fragmented.append(clientFrame(Text, QByteArray(60, 'x')));
    fragmented.append(clientFrame(Fin | Continuation, QByteArray(40, 'y')));
    const std::optional<FrameReader::Message> message = fragmented.next();
    QVERIFY2(message, qPrintable(fragmented.errorReason()));
    QCOMPARE(message->payload.size(), 100);
}

void tst_WsProtocol::refusesBadFrames_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");

    QTest::addRow("unmasked text") << clientFrame(Fin | Text, "hi", false) << 1002;
    QTest::addRow("unmasked ping") << clientFrame(Fin | Ping, {}, false) << 1002;
    QTest::addRow("RSV1 set") << clientFrame(Fin | 0x40 | Text, "hi") << 1002;
    QTest::addRow("RSV2 set") << clientFrame(Fin | 0x20 | Text, "hi") << 1002;
    QTest::addRow("RSV3 set") << clientFrame(Fin | 0x10 | Text, "hi") << 1002;
    QTest::addRow("reserved opcode 3") << clientFrame(Fin | 0x3, "hi") << 1002;
    QTest::addRow("reserved control opcode B") << clientFrame(Fin | 0xB, "hi") << 1002;
    QTest::addRow("continuation without start") << clientFrame(Fin | Continuation, "hi") << 1002;
    QTest::addRow("text while a fragmented message is open")
        << clientFrame(Text, "a") + clientFrame(Fin | Text, "b") << 1002;
    QTest::addRow("control frame of 126 bytes")
        << clientFrame(Fin | Ping, QByteArray(126, 'p')) << 1002;
    QTest::addRow("close frame of 126 bytes")
        << clientFrame(Fin | Close, QByteArray(126, 'c')) << 1002;
    QTest::addRow("fragmented control frame") << clientFrame(Ping, "p") << 1002;
    QTest::addRow("64-bit length with top bit set")
        << QByteArray("\x81\xff\x80\x00\x00\x00\x00\x00\x00\x01", 10) << 1002;
    QTest::addRow("message over the limit") << text(QByteArray(101, 'x')) << 1009;
    QTest::addRow("fragments over the limit") << clientFrame(Text, QByteArray(60, 'x'))
            + clientFrame(Fin | Continuation, QByteArray(41, 'x'))
                                              << 1009;
    QTest::addRow("invalid UTF-8: 0xFF") << text("a\xff") << 1007;
    QTest::addRow("invalid UTF-8: lone continuation byte") << text("\x80") << 1007;
    QTest::addRow("invalid UTF-8: overlong slash") << text("\xc0\xaf") << 1007;
    QTest::addRow("invalid UTF-8: overlong 3-byte") << text("\xe0\x80\xaf") << 1007;
    QTest::addRow("invalid UTF-8: overlong 4-byte") << text("\xf0\x80\x80\xaf") << 1007;
    QTest::addRow("invalid UTF-8: high surrogate") << text("\xed\xa0\x80") << 1007;
    QTest::addRow("invalid UTF-8: low surrogate") << text("\xed\xbf\xbf") << 1007;
    QTest::addRow("invalid UTF-8: above U+10FFFF") << text("\xf4\x90\x80\x80") << 1007;
    QTest::addRow("invalid UTF-8: truncated at the end") << text("ok\xe2\x82") << 1007;
    QTest::addRow("invalid UTF-8: 5-byte form") << text("\xf8\x88\x80\x80\x80") << 1007;
    QTest::addRow("invalid UTF-8 across fragments")
        << clientFrame(Text, "a\xc5") + clientFrame(Fin | Continuation, "b") << 1007;
}

void tst_WsProtocol::refusesBadFrames()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);

    FrameReader reader(100);
    reader.append(bytes);
    const QList<FrameReader::Message> messages = drain(reader);
    QVERIFY(messages.isEmpty());
    QVERIFY(reader.hasError());
    QCOMPARE(int(reader.errorCode()), code);
    QVERIFY(!reader.errorReason().isEmpty());
}

void tst_WsProtocol::refusesOversizeBeforePayloadArrives()
{
    // The header alone announces 1 GiB: refused at once, never buffered.
    QByteArray header("\x81\xff", 2);
    for (int shift = 56; shift >= 0; shift -= 8)
        header.append(char((quint64(1) << 30) >> shift & 0xFF));
    FrameReader reader(64 * 1024);
    reader.append(header);
    QVERIFY(!reader.next());
    QVERIFY(reader.hasError());
    QCOMPARE(int(reader.errorCode()), 1009);
}

void tst_WsProtocol::errorIsSticky()
{
    FrameReader reader(1024);
    reader.append(clientFrame(Fin | Text, "x", false));
    QVERIFY(!reader.next());
    QCOMPARE(int(reader.errorCode()), 1002);
    reader.append(text("valid"));
    QVERIFY(!reader.next());
    QCOMPARE(int(reader.errorCode()), 1002);
}

void tst_WsProtocol::validatesUtf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");

    QTest::addRow("empty") << QByteArray() << true;
    QTest::addRow("ASCII") << QByteArray("hello") << true;
    QTest::addRow("NUL is valid UTF-8") << QByteArray("a\0b", 3) << true;
    QTest::addRow("2-byte") << QByteArray("\xc5\xbc") << true;
    QTest::addRow("smallest 2-byte U+0080") << QByteArray("\xc2\x80") << true;
    QTest::addRow("3-byte") << QByteArray("\xe2\x82\xac") << true;
    QTest::addRow("U+D7FF") << QByteArray("\xed\x9f\xbf") << true;
    QTest::addRow("U+E000") << QByteArray("\xee\x80\x80") << true;
    QTest::addRow("U+FFFF") << QByteArray("\xef\xbf\xbf") << true;
    QTest::addRow("4-byte emoji") << QByteArray("\xf0\x9f\x98\x80") << true;
    QTest::addRow("U+10FFFF") << QByteArray("\xf4\x8f\xbf\xbf") << true;
    QTest::addRow("overlong NUL") << QByteArray("\xc0\x80") << false;
    QTest::addRow("overlong U+007F") << QByteArray("\xc1\xbf") << false;
    QTest::addRow("overlong U+07FF") << QByteArray("\xe0\x9f\xbf") << false;
    QTest::addRow("overlong U+FFFF") << QByteArray("\xf0\x8f\xbf\xbf") << false;
    QTest::addRow("surrogate U+D800") << QByteArray("\xed\xa0\x80") << false;
    QTest::addRow("surrogate U+DFFF") << QByteArray("\xed\xbf\xbf") << false;
    QTest::addRow("CESU-8 surrogate pair") << QByteArray("\xed\xa0\xbd\xed\xb8\x80") << false;
    QTest::addRow("U+110000") << QByteArray("\xf4\x90\x80\x80") << false;
    QTest::addRow("0xFE") << QByteArray("\xfe") << false;
    QTest::addRow("truncated 2-byte") << QByteArray("\xc5") << false;
    QTest::addRow("truncated 4-byte") << QByteArray("\xf0\x9f\x98") << false;
    QTest::addRow("ASCII where continuation expected") << QByteArray("\xe2\x82"
                                                                     "a")
                                                       << false;
}

void tst_WsProtocol::validatesUtf8()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);

    QCOMPARE(isValidUtf8(bytes), valid);
}

void tst_WsProtocol::buildsFrameHeaders_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<QByteArray>("header");

    QTest::addRow("0") << 0 << QByteArray("\x81\x00", 2);
    QTest::addRow("125") << 125 << QByteArray("\x81\x7d");
    QTest::addRow("126") << 126 << QByteArray("\x81\x7e\x00\x7e", 4);
    QTest::addRow("65535") << 65535 << QByteArray("\x81\x7e\xff\xff");
    QTest::addRow("65536") << 65536 << QByteArray("\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
}

void tst_WsProtocol::buildsFrameHeaders()
{
    QFETCH(int, size);
    QFETCH(QByteArray, header);

    const QByteArray payload(size, 'z');
    const QByteArray built = textFrame(payload);
    QCOMPARE(built.size(), header.size() + size);
    QCOMPARE(built.left(header.size()), header);
    QCOMPARE(built.mid(header.size()), payload);
    QCOMPARE(frame(Binary, payload).at(0), char(0x82));
    QCOMPARE(frame(Binary, payload).mid(1), built.mid(1));
}

void tst_WsProtocol::buildsCloseFrame()
{
    QCOMPARE(closeFrame(1001, QStringLiteral("shutting_down")),
             QByteArray("\x88\x0f\x03\xe9shutting_down"));
    QCOMPARE(closeFrame(1008, QString()), QByteArray("\x88\x02\x03\xf0"));
    // A control frame holds at most 125 bytes: 2 for the code, 123 for the reason.
    const QByteArray longClose = closeFrame(1007, QString(300, u'r'));
    QCOMPARE(longClose.size(), 2 + 125);
    QCOMPARE(quint8(longClose.at(1)), quint8(125));
}

void tst_WsProtocol::closeFrameReasonStaysValidUtf8()
{
    // 2-byte characters: cutting at byte 123 would split one.
    const QByteArray built = closeFrame(1007, QString(100, u'ż'));
    const QByteArray reason = built.mid(4);
    QCOMPARE(quint8(built.at(1)), quint8(built.size() - 2));
    QVERIFY(reason.size() <= 123);
    QVERIFY(reason.size() >= 121);
    QVERIFY(isValidUtf8(reason));
    // 4-byte characters.
    const QByteArray emoji = closeFrame(1007, QStringLiteral("😀").repeated(40)).mid(4);
    QVERIFY(emoji.size() <= 123);
    QCOMPARE(emoji.size(), 120);
    QVERIFY(isValidUtf8(emoji));
}

QTEST_APPLESS_MAIN(tst_WsProtocol)
#include "tst_wsprotocol.moc"
