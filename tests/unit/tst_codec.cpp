// The serializer 2.0.0 codec: which frames decode to what, which are refused with which
// DecodeError kind, the exact bytes the hub writes, and that encode/decode round-trip.

#include "protocol/codec.h"
#include "protocol/events.h"
#include "protocol/message.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using Parley::Protocol::decode;
using Parley::Protocol::DecodeError;
using Parley::Protocol::encode;
using Parley::Protocol::Message;

Q_DECLARE_METATYPE(Parley::Protocol::Message)
Q_DECLARE_METATYPE(Parley::Protocol::DecodeError::Kind)

namespace {

QJsonValue json(const char *text)
{
    // Wrapped in an array so scalars parse too.
    return QJsonDocument::fromJson(QByteArray("[") + text + ']').array().at(0);
}

QByteArray nested(int depth, const QByteArray &inner = {})
{
    return QByteArray(depth, '[') + inner + QByteArray(depth, ']');
}

} // namespace

class tst_Codec : public QObject
{
    Q_OBJECT

private slots:
    void encodeWithEncodedPayloadIsByteIdentical();
    void jsonStringsEscapeLikeQt_data();
    void jsonStringsEscapeLikeQt();
    void randomJsonStringsEscapeLikeQt();
    void decodesWellFormedFrames_data();
    void decodesWellFormedFrames();
    void refusesWrongFieldTypes_data();
    void refusesWrongFieldTypes();
    void refusesMalformedFrames_data();
    void refusesMalformedFrames();
    void decodeErrorIsOptional();
    void encodesExactBytes_data();
    void encodesExactBytes();
    void roundTripsMessages_data();
    void roundTripsMessages();
};

void tst_Codec::decodesWellFormedFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<Message>("expected");

    QTest::addRow("heartbeat, null join_ref")
        << QByteArray(R"([null,"3","phoenix","heartbeat",{}])")
        << Message { QJsonValue::Null, "3", "phoenix", "heartbeat", QJsonObject() };
    QTest::addRow("join, string refs")
        << QByteArray(R"(["5","5","room:general","phx_join",{"after_id":12}])")
        << Message { "5", "5", "room:general", "phx_join", QJsonObject { { "after_id", 12 } } };
    QTest::addRow("both refs null") << QByteArray(R"([null,null,"room:x","new_msg",{"body":"hi"}])")
                                    << Message { QJsonValue::Null, QJsonValue::Null, "room:x",
                                                 "new_msg", QJsonObject { { "body", "hi" } } };
    QTest::addRow("refs are opaque strings")
        << QByteArray(R"(["abc-1","","room:x","e",{}])")
        << Message { "abc-1", "", "room:x", "e", QJsonObject() };
    QTest::addRow("empty topic and event are still strings")
        << QByteArray(R"(["1","2","","",{}])") << Message { "1", "2", "", "", QJsonObject() };
    QTest::addRow("payload array") << QByteArray(R"(["1","2","t","e",[1,"x",null]])")
                                   << Message { "1", "2", "t", "e", json(R"([1,"x",null])") };
    QTest::addRow("payload string")
        << QByteArray(R"(["1","2","t","e","text"])") << Message { "1", "2", "t", "e", "text" };
    QTest::addRow("payload number")
        << QByteArray(R"(["1","2","t","e",-2.5])") << Message { "1", "2", "t", "e", -2.5 };
    QTest::addRow("payload null") << QByteArray(R"(["1","2","t","e",null])")
                                  << Message { "1", "2", "t", "e", QJsonValue::Null };
    QTest::addRow("payload bool") << QByteArray(R"(["1","2","t","e",false])")
                                  << Message { "1", "2", "t", "e", false };
    QTest::addRow("payload nested object")
        << QByteArray(R"(["1","2","t","e",{"a":{"b":[{"c":true}]}}])")
        << Message { "1", "2", "t", "e", json(R"({"a":{"b":[{"c":true}]}})") };
    QTest::addRow("whitespace around tokens")
        << QByteArray(" [ \"1\" ,\n\"2\" , \"t\" , \"e\" , { } ] \n")
        << Message { "1", "2", "t", "e", QJsonObject() };
    const QByteArray escaped = R"(["1","2","room:x","new_msg",{"body":"za\u017c\u00f3\u0142\u0107 )"
                               R"(\ud83d\ude00 \"q\" \\ \n"}])";
    const QJsonObject unescaped { { "body", QStringLiteral("zażółć 😀 \"q\" \\ \n") } };
    QTest::addRow("non-ASCII and escapes in strings")
        << escaped << Message { "1", "2", "room:x", "new_msg", unescaped };
    QTest::addRow("raw UTF-8 in strings")
        << QByteArray(
               "[\"1\",\"2\",\"room:x\",\"new_msg\",{\"body\":\"\xc5\xbc\xf0\x9f\x98\x80\"}]")
        << Message { "1", "2", "room:x", "new_msg",
                     QJsonObject { { "body", QStringLiteral("ż😀") } } };
    QTest::addRow("payload nested 100 deep") << QByteArray(R"(["1","2","t","e",)") + nested(100)
            + ']' << Message { "1", "2", "t", "e", json(nested(100).constData()) };
}

void tst_Codec::decodesWellFormedFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(Message, expected);

    DecodeError error { DecodeError::WrongLength, QStringLiteral("untouched") };
    const std::optional<Message> message = decode(frame, &error);
    QVERIFY2(message, qPrintable(error.detail));
    QCOMPARE(message->joinRef, expected.joinRef);
    QCOMPARE(message->ref, expected.ref);
    QCOMPARE(message->topic, expected.topic);
    QCOMPARE(message->event, expected.event);
    QCOMPARE(message->payload, expected.payload);
    QCOMPARE(*message, expected);
    QCOMPARE(error.detail, QStringLiteral("untouched")); // only written on failure
}

void tst_Codec::refusesWrongFieldTypes_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<DecodeError::Kind>("kind");

    QTest::addRow("join_ref number")
        << QByteArray(R"([1,"1","t","e",{}])") << DecodeError::BadJoinRef;
    QTest::addRow("join_ref bool")
        << QByteArray(R"([true,"1","t","e",{}])") << DecodeError::BadJoinRef;
    QTest::addRow("join_ref object")
        << QByteArray(R"([{},"1","t","e",{}])") << DecodeError::BadJoinRef;
    QTest::addRow("join_ref array")
        << QByteArray(R"([["1"],"1","t","e",{}])") << DecodeError::BadJoinRef;
    QTest::addRow("ref number") << QByteArray(R"(["1",1,"t","e",{}])") << DecodeError::BadRef;
    QTest::addRow("ref float") << QByteArray(R"(["1",1.5,"t","e",{}])") << DecodeError::BadRef;
    QTest::addRow("ref array") << QByteArray(R"(["1",[],"t","e",{}])") << DecodeError::BadRef;
    QTest::addRow("ref bool") << QByteArray(R"(["1",false,"t","e",{}])") << DecodeError::BadRef;
    QTest::addRow("topic null") << QByteArray(R"(["1","1",null,"e",{}])") << DecodeError::BadTopic;
    QTest::addRow("topic number") << QByteArray(R"(["1","1",42,"e",{}])") << DecodeError::BadTopic;
    QTest::addRow("topic object") << QByteArray(R"(["1","1",{},"e",{}])") << DecodeError::BadTopic;
    QTest::addRow("event null") << QByteArray(R"(["1","1","t",null,{}])") << DecodeError::BadEvent;
    QTest::addRow("event number") << QByteArray(R"(["1","1","t",7,{}])") << DecodeError::BadEvent;
    QTest::addRow("event array") << QByteArray(R"(["1","1","t",["e"],{}])")
                                 << DecodeError::BadEvent;
    // The first bad field is the one reported.
    QTest::addRow("join_ref and ref bad")
        << QByteArray(R"([1,2,"t","e",{}])") << DecodeError::BadJoinRef;
    QTest::addRow("ref and topic bad") << QByteArray(R"(["1",2,3,"e",{}])") << DecodeError::BadRef;
    QTest::addRow("topic and event bad")
        << QByteArray(R"(["1","2",3,4,{}])") << DecodeError::BadTopic;
}

void tst_Codec::refusesWrongFieldTypes()
{
    QFETCH(QByteArray, frame);
    QFETCH(DecodeError::Kind, kind);

    DecodeError error;
    QVERIFY(!decode(frame, &error));
    QCOMPARE(error.kind, kind);
    QVERIFY(!error.detail.isEmpty());
}

void tst_Codec::refusesMalformedFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<DecodeError::Kind>("kind");

    QTest::addRow("empty") << QByteArray() << DecodeError::NotJson;
    QTest::addRow("not JSON") << QByteArray("hello") << DecodeError::NotJson;
    QTest::addRow("truncated array") << QByteArray(R"(["1","1","room:x")") << DecodeError::NotJson;
    QTest::addRow("truncated string") << QByteArray(R"(["1","1","roo)") << DecodeError::NotJson;
    QTest::addRow("trailing garbage")
        << QByteArray(R"(["1","1","t","e",{}] x)") << DecodeError::NotJson;
    QTest::addRow("trailing comma")
        << QByteArray(R"(["1","1","t","e",{},])") << DecodeError::NotJson;
    QTest::addRow("single quotes") << QByteArray(R"(['1','1','t','e',{}])") << DecodeError::NotJson;
    QTest::addRow("top-level string") << QByteArray(R"("x")") << DecodeError::NotJson;
    QTest::addRow("top-level number") << QByteArray("42") << DecodeError::NotJson;
    QTest::addRow("top-level null") << QByteArray("null") << DecodeError::NotJson;
    QTest::addRow("object instead of array")
        << QByteArray(R"({"join_ref":"1","ref":"1","topic":"t","event":"e","payload":{}})")
        << DecodeError::NotArray;
    QTest::addRow("empty object") << QByteArray("{}") << DecodeError::NotArray;
    QTest::addRow("empty array") << QByteArray("[]") << DecodeError::WrongLength;
    QTest::addRow("4 elements") << QByteArray(R"(["1","1","t","e"])") << DecodeError::WrongLength;
    QTest::addRow("6 elements") << QByteArray(R"(["1","1","t","e",{},{}])")
                                << DecodeError::WrongLength;
    QTest::addRow("1 element") << QByteArray(R"([{}])") << DecodeError::WrongLength;
    QTest::addRow("nested 5000 deep") << nested(5000) << DecodeError::NotJson;
    QTest::addRow("payload nested 5000 deep")
        << QByteArray(R"(["1","1","t","e",)") + nested(5000) + ']' << DecodeError::NotJson;
    QTest::addRow("unclosed deep nesting") << QByteArray(100000, '[') << DecodeError::NotJson;
}

void tst_Codec::refusesMalformedFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(DecodeError::Kind, kind);

    DecodeError error { DecodeError::BadEvent, {} };
    QVERIFY(!decode(frame, &error));
    QCOMPARE(error.kind, kind);
    QVERIFY(!error.detail.isEmpty());
}

void tst_Codec::decodeErrorIsOptional()
{
    QVERIFY(!decode("nope"));
    QVERIFY(!decode(R"([1,"1","t","e",{}])"));
    QVERIFY(decode(R"(["1","1","t","e",{}])"));
}

void tst_Codec::encodesExactBytes_data()
{
    using namespace Parley::Protocol;
    QTest::addColumn<Message>("message");
    QTest::addColumn<QByteArray>("bytes");

    QTest::addRow("join ok reply")
        << makeReply("1", "1", "room:x", "ok", {})
        << QByteArray(R"(["1","1","room:x","phx_reply",{"response":{},"status":"ok"}])");
    QTest::addRow("heartbeat reply")
        << makeReply(QJsonValue::Null, "7", "phoenix", "ok", {})
        << QByteArray(R"([null,"7","phoenix","phx_reply",{"response":{},"status":"ok"}])");
    QTest::addRow("unmatched topic")
        << makeReply(QJsonValue::Null, "4", "nope", "error", errorResponse(Reason::UnmatchedTopic))
        << QByteArray(
               R"([null,"4","nope","phx_reply",{"response":{"reason":"unmatched topic"},"status":"error"}])");
    QTest::addRow("error with detail")
        << makeReply("2", "9", "room:x", "error", errorResponse("invalid_body", "too long"))
        << QByteArray(
               R"(["2","9","room:x","phx_reply",{"response":{"detail":"too long","reason":"invalid_body"},"status":"error"}])");
    QTest::addRow("push keeps join_ref, null ref")
        << makePush("3", "room:x", "presence_state", {})
        << QByteArray(R"(["3",null,"room:x","presence_state",{}])");
    QTest::addRow("broadcast has null refs")
        << makeBroadcast("room:x", "new_msg", { { "id", 1042 }, { "body", "hi" } })
        << QByteArray(R"([null,null,"room:x","new_msg",{"body":"hi","id":1042}])");
    QTest::addRow("phx_close") << Message { "5", "5", "room:x", "phx_close", QJsonObject() }
                               << QByteArray(R"(["5","5","room:x","phx_close",{}])");
    QTest::addRow("keys sorted, integers without fraction")
        << makeBroadcast("t", "e", { { "z", 1 }, { "a", 9007199254740991.0 }, { "m", 0.5 } })
        << QByteArray(R"([null,null,"t","e",{"a":9007199254740991,"m":0.5,"z":1}])");
    QTest::addRow("escapes") << makeBroadcast("t", "e",
                                              { { "s", QStringLiteral("q\" b\\ n\n t\t c\x01") } })
                             << QByteArray(
                                    R"([null,null,"t","e",{"s":"q\" b\\ n\n t\t c\u0001"}])");
    QTest::addRow("non-ASCII as raw UTF-8")
        << makeBroadcast("t", "e", { { "s", QStringLiteral("żółć 😀") } })
        << QByteArray("[null,null,\"t\",\"e\",{\"s\":\"\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87 "
                      "\xf0\x9f\x98\x80\"}]");
    QTest::addRow("nulls and bools")
        << makeBroadcast("t", "e", { { "edited_ts", QJsonValue::Null }, { "deleted", false } })
        << QByteArray(R"([null,null,"t","e",{"deleted":false,"edited_ts":null}])");
}

void tst_Codec::encodesExactBytes()
{
    QFETCH(Message, message);
    QFETCH(QByteArray, bytes);

    QCOMPARE(encode(message), bytes);
}

void tst_Codec::roundTripsMessages_data()
{
    QTest::addColumn<Message>("message");

    QTest::addRow("heartbeat") << Message { QJsonValue::Null, "1", "phoenix", "heartbeat",
                                            QJsonObject() };
    QTest::addRow("null refs, object payload")
        << Message { QJsonValue::Null, QJsonValue::Null, "room:a", "new_msg",
                     QJsonObject { { "id", 1 }, { "body", "x" } } };
    QTest::addRow("non-ASCII topic and body") << Message {
        "1", "2", QStringLiteral("room:żółw"), "new_msg",
        QJsonObject { { "body", QStringLiteral("Grüße, 日本語, 😀👍🏽, עברית") } }
    };
    QTest::addRow("escapes") << Message { "\"", "\\", "a/b", "\n\t",
                                          QStringLiteral("\x01\x1f\x7f\u2028 \"quoted\"") };
    QTest::addRow("empty strings") << Message { "", "", "", "", "" };
    QTest::addRow("array payload")
        << Message { "1", "1", "t", "e", json(R"([1,[2,[3,{"x":null}]]])") };
    QTest::addRow("number payload") << Message { "1", "1", "t", "e", 123456789.25 };
    QTest::addRow("big integer payload") << Message { "1", "1", "t", "e", 9007199254740991.0 };
}

void tst_Codec::roundTripsMessages()
{
    QFETCH(Message, message);

    const QByteArray bytes = encode(message);
    QVERIFY(!bytes.contains('\n')); // compact: one line
    DecodeError error;
    const std::optional<Message> decoded = decode(bytes, &error);
    QVERIFY2(decoded, qPrintable(error.detail));
    QCOMPARE(*decoded, message);
    QCOMPARE(encode(*decoded), bytes);
}

void tst_Codec::encodeWithEncodedPayloadIsByteIdentical()
{
    const QJsonObject payload { { QStringLiteral("ana"), QJsonObject { { QStringLiteral("metas"), QJsonArray { QJsonObject { { QStringLiteral("phx_ref"), QStringLiteral("x\"y") } } } } } },
                                { QStringLiteral("caf\u00e9"), QJsonObject {} } };
    const Message message { QJsonValue(QStringLiteral("7")), QJsonValue::Null, QStringLiteral("room:general"),
                            QStringLiteral("presence_state"), payload };
    const QByteArray payloadJson = QJsonDocument(payload).toJson(QJsonDocument::Compact);
    QCOMPARE(encode(message, payloadJson), encode(message));
    QCOMPARE(encode(message, "{}"), encode(Message { message.joinRef, message.ref, message.topic, message.event, QJsonObject() }));
}

namespace {

// What QJsonDocument writes for `text` as a string value.
QByteArray qtJsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

QByteArray ourJsonString(const QString &text)
{
    QByteArray out;
    Parley::Protocol::appendJsonString(out, text);
    return out;
}

} // namespace

void tst_Codec::jsonStringsEscapeLikeQt_data()
{
    QTest::addColumn<QString>("text");
    QTest::addRow("empty") << QString();
    QTest::addRow("plain") << QStringLiteral("room:general");
    QTest::addRow("quote and backslash") << QStringLiteral("say \"hi\" \\o/");
    QTest::addRow("named escapes") << QStringLiteral("\b\f\n\r\t");
    QTest::addRow("other controls") << QString::fromUtf8("\x01\x02\x1b\x1f end");
    QTest::addRow("nul") << QString(QChar(0)) + QStringLiteral("x");
    QTest::addRow("del and slash") << QStringLiteral("\x7f a/b");
    QTest::addRow("latin-1") << QStringLiteral("Grüße café");
    QTest::addRow("cjk") << QStringLiteral("日本語のテキスト");
    QTest::addRow("emoji, surrogate pairs") << QStringLiteral("😀👍🏽 ok 🏳️‍🌈");
    QTest::addRow("line separators") << QStringLiteral("a\u2028b\u2029c");
    QTest::addRow("mixed runs") << QStringLiteral("é\"é\n日\\x😀");
    QTest::addRow("lone high surrogate") << QString(QChar(0xd83d)) + QStringLiteral("x");
    QTest::addRow("lone low surrogate") << QStringLiteral("3d") + QChar(0xde0e) + QStringLiteral("f");
    QTest::addRow("low before high") << QString(QChar(0xde00)) + QChar(0xd800);
    QTest::addRow("high at the end") << QStringLiteral("end") + QChar(0xdbff);
    QTest::addRow("html stays text") << QStringLiteral("<script>alert('x')</script>&amp;");
}

void tst_Codec::jsonStringsEscapeLikeQt()
{
    QFETCH(QString, text);
    QCOMPARE(ourJsonString(text), qtJsonString(text));
}

void tst_Codec::randomJsonStringsEscapeLikeQt()
{
    // ASCII with every control character, BMP letters, astral characters as proper surrogate
    // pairs, and lone surrogates (a frame's "\\udc00" escape decodes to one).
    QRandomGenerator random(20261126);
    for (int round = 0; round < 2000; ++round) {
        QString text;
        const int length = int(random.bounded(0, 40));
        for (int i = 0; i < length; ++i) {
            switch (random.bounded(5)) {
            case 0: text += QChar(char16_t(random.bounded(0, 0x80))); break;
            case 1: text += QChar(char16_t(random.bounded(0x80, 0xd800))); break;
            case 2: text += QChar(char16_t(random.bounded(0xe000, 0x10000))); break;
            case 3: text += QChar(char16_t(random.bounded(0xd800, 0xe000))); break;
            default: {
                const char32_t astral = char32_t(random.bounded(0x10000, 0x110000));
                text += QString::fromUcs4(&astral, 1);
            }
            }
        }
        QCOMPARE(ourJsonString(text), qtJsonString(text));
    }
}

QTEST_APPLESS_MAIN(tst_Codec)
#include "tst_codec.moc"
