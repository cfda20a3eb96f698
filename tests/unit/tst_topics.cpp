// The topic grammar (hub:lobby, room:NAME, dm:A:B) and the field rules of validation.h:
// which names, ids, bodies, nicks and integers pass, at and just past every limit.

#include "protocol/identity.h"
#include "protocol/message.h"
#include "protocol/topics.h"
#include "protocol/validation.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <limits>

using namespace Parley::Protocol;
using Parley::Protocol::Identity::KeyPair;

Q_DECLARE_METATYPE(Parley::Protocol::Topic::Kind)

namespace {

const QString emoji = QStringLiteral("😀"); // one code point, two UTF-16 units
// user_ids: 22 characters of base64url, the canonical encoding of 16 bytes.
const QString id8 = QStringLiteral("aaaaaaaaaaaaaaaaaaaaaA");
const QString idB = QStringLiteral("bbbbbbbbbbbbbbbbbbbbbA");

} // namespace

class tst_Topics : public QObject
{
    Q_OBJECT

private slots:
    void roomNames_data();
    void roomNames();
    void userIds_data();
    void userIds();
    void clientIdsFollowUserIdRules();
    void parsesRoutableTopics_data();
    void parsesRoutableTopics();
    void refusesUnroutableTopics_data();
    void refusesUnroutableTopics();
    void buildsTopics();
    void dmMembership();
    void normalizedBody_data();
    void normalizedBody();
    void normalizedNick_data();
    void normalizedNick();
    void controlCharacters_data();
    void controlCharacters();
    void integerIn_data();
    void integerIn();
    void topicKinds_data();
    void topicKinds();
    void statuses_data();
    void statuses();
    void reasonOfAReply_data();
    void reasonOfAReply();
};

void tst_Topics::roomNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::addRow("general") << "general" << true;
    QTest::addRow("one letter") << "a" << true;
    QTest::addRow("one digit") << "7" << true;
    QTest::addRow("digits first") << "2024-plans" << true;
    QTest::addRow("underscore and dash inside") << "a_b-c" << true;
    QTest::addRow("trailing dash") << "abc-" << true;
    QTest::addRow("40 chars") << QString(40, u'x') << true;
    QTest::addRow("41 chars") << QString(41, u'x') << false;
    QTest::addRow("empty") << "" << false;
    QTest::addRow("leading dash") << "-abc" << false;
    QTest::addRow("leading underscore") << "_abc" << false;
    QTest::addRow("uppercase") << "General" << false;
    QTest::addRow("all uppercase") << "ABC" << false;
    QTest::addRow("space") << "a b" << false;
    QTest::addRow("colon") << "a:b" << false;
    QTest::addRow("dot") << "a.b" << false;
    QTest::addRow("slash") << "a/b" << false;
    QTest::addRow("non-ASCII letter") << QStringLiteral("żółw") << false;
    QTest::addRow("fullwidth digit") << QStringLiteral("１") << false;
    QTest::addRow("emoji") << emoji << false;
}

void tst_Topics::roomNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);

    QCOMPARE(isValidRoomName(name), valid);
    QCOMPARE(parseTopic(QStringLiteral("room:") + name).has_value(), valid);
}

void tst_Topics::userIds_data()
{
    QTest::addColumn<QString>("userId");
    QTest::addColumn<bool>("valid");

    QTest::addRow("22 chars") << id8 << true;
    QTest::addRow("all of base64url") << "AbCd_-0123456789xyzABw" << true;
    QTest::addRow("derived from a key") << KeyPair::generate().userId() << true;
    QTest::addRow("21 chars") << id8.left(21) << false;
    QTest::addRow("23 chars") << id8 + "A" << false;
    QTest::addRow("stray bits in the last character") << "aaaaaaaaaaaaaaaaaaaaaB" << false;
    QTest::addRow("padding") << id8 + "==" << false;
    QTest::addRow("standard base64 +") << "aaaaaaaaaa+aaaaaaaaaaA" << false;
    QTest::addRow("old 8-char id") << QString(8, u'a') << false;
    QTest::addRow("old uuid") << "6f1c0b1e-3f0a-4c6e-9a57-0d3c1b2a9e11" << false;
    QTest::addRow("empty") << "" << false;
    QTest::addRow("space") << "aaaaaaaaaa aaaaaaaaaaA" << false;
    QTest::addRow("colon") << "aaaaaaaaaa:aaaaaaaaaaA" << false;
    QTest::addRow("dot") << "aaaaaaaaaa.aaaaaaaaaaA" << false;
    QTest::addRow("non-ASCII") << QStringLiteral("aaaaaaaaaażaaaaaaaaaaA") << false;
}

void tst_Topics::userIds()
{
    QFETCH(QString, userId);
    QFETCH(bool, valid);

    QCOMPARE(isValidUserId(userId), valid);
}

void tst_Topics::clientIdsFollowUserIdRules()
{
    // Client ids keep the looser grammar (8-64 of [A-Za-z0-9_-]): the client picks them.
    QVERIFY(isValidClientId(QString(8, u'c')));
    QVERIFY(isValidClientId(QString(64, u'c')));
    QVERIFY(!isValidClientId(QString(7, u'c')));
    QVERIFY(!isValidClientId(QString(65, u'c')));
    QVERIFY(!isValidClientId(QStringLiteral("bad id!!")));
}

void tst_Topics::parsesRoutableTopics_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<Topic::Kind>("kind");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("userA");
    QTest::addColumn<QString>("userB");

    QTest::addRow("lobby") << "hub:lobby" << Topic::Lobby << ""
                           << ""
                           << "";
    QTest::addRow("room") << "room:general" << Topic::Room << "general"
                          << ""
                          << "";
    QTest::addRow("room 40 chars")
        << "room:" + QString(40, u'r') << Topic::Room << QString(40, u'r') << ""
        << "";
    QTest::addRow("dm") << "dm:" + id8 + ":" + idB << Topic::Dm << "" << id8 << idB;
    const QString upper = QStringLiteral("ZZZZZZZZZZZZZZZZZZZZZA");
    QTest::addRow("dm uppercase sorts first") << "dm:" + upper + ":" + id8 << Topic::Dm << ""
                                              << upper << id8;
    const QString dashes = QStringLiteral("-_-_-_-_-_-_-_-_-_-_-A");
    QTest::addRow("dm ids with - and _") << "dm:" + dashes + ":" + id8 << Topic::Dm << "" << dashes << id8;
}

void tst_Topics::parsesRoutableTopics()
{
    QFETCH(QString, topic);
    QFETCH(Topic::Kind, kind);
    QFETCH(QString, name);
    QFETCH(QString, userA);
    QFETCH(QString, userB);

    const std::optional<Topic> parsed = parseTopic(topic);
    QVERIFY(parsed);
    QCOMPARE(parsed->kind, kind);
    QCOMPARE(parsed->name, name);
    QCOMPARE(parsed->userA, userA);
    QCOMPARE(parsed->userB, userB);
}

void tst_Topics::refusesUnroutableTopics_data()
{
    QTest::addColumn<QString>("topic");

    QTest::addRow("empty") << "";
    QTest::addRow("phoenix") << "phoenix";
    QTest::addRow("lobby without prefix") << "lobby";
    QTest::addRow("other hub topic") << "hub:other";
    QTest::addRow("lobby with suffix") << "hub:lobby:x";
    QTest::addRow("lobby uppercase") << "HUB:LOBBY";
    QTest::addRow("unknown prefix") << "chat:general";
    QTest::addRow("room prefix only") << "room:";
    QTest::addRow("room uppercase prefix") << "Room:general";
    QTest::addRow("room bad name") << "room:-x";
    QTest::addRow("room uppercase name") << "room:General";
    QTest::addRow("room 41 chars") << "room:" + QString(41, u'r');
    QTest::addRow("room with colon") << "room:a:b";
    QTest::addRow("room leading space") << "room: general";
    QTest::addRow("dm prefix only") << "dm:";
    QTest::addRow("dm one id") << "dm:" + id8;
    QTest::addRow("dm empty second id") << "dm:" + id8 + ":";
    QTest::addRow("dm three ids") << "dm:" + id8 + ":" + idB + ":ccccccccccccccccccccccA";
    QTest::addRow("dm unsorted") << "dm:" + idB + ":" + id8;
    QTest::addRow("dm same user twice") << "dm:" + id8 + ":" + id8;
    QTest::addRow("dm short id") << "dm:" + id8.left(21) + ":" + idB;
    QTest::addRow("dm long id") << "dm:" + id8 + ":" + idB + "A";
    QTest::addRow("dm bad character") << "dm:aaaaaaaaaa.aaaaaaaaaaA:" + idB;
    QTest::addRow("dm old ids") << "dm:aaaaaaaa:bbbbbbbb";
}

void tst_Topics::refusesUnroutableTopics()
{
    QFETCH(QString, topic);

    QVERIFY(!parseTopic(topic));
}

void tst_Topics::buildsTopics()
{
    QCOMPARE(roomTopic(QStringLiteral("general")), QStringLiteral("room:general"));
    QCOMPARE(dmTopic(id8, idB), "dm:" + id8 + ":" + idB);
    QCOMPARE(dmTopic(idB, id8), "dm:" + id8 + ":" + idB);
    // What dmTopic builds, parseTopic routes.
    const std::optional<Topic> parsed = parseTopic(dmTopic(idB, id8));
    QVERIFY(parsed);
    QCOMPARE(parsed->kind, Topic::Dm);
}

void tst_Topics::dmMembership()
{
    const std::optional<Topic> dm = parseTopic("dm:" + id8 + ":" + idB);
    QVERIFY(dm);
    QVERIFY(dm->isMember(id8));
    QVERIFY(dm->isMember(idB));
    QVERIFY(!dm->isMember(QStringLiteral("cccccccc")));
    QVERIFY(!dm->isMember(QString()));
}

void tst_Topics::normalizedBody_data()
{
    QTest::addColumn<QJsonValue>("body");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("expected");

    QTest::addRow("plain") << QJsonValue("hello") << true << "hello";
    QTest::addRow("trimmed") << QJsonValue("  hi there \n\t") << true << "hi there";
    QTest::addRow("inner newlines and tabs kept")
        << QJsonValue("a\nb\tc\r\nd") << true << "a\nb\tc\r\nd";
    QTest::addRow("one char") << QJsonValue("x") << true << "x";
    QTest::addRow("4000 chars") << QJsonValue(QString(4000, u'a')) << true << QString(4000, u'a');
    QTest::addRow("4001 chars") << QJsonValue(QString(4001, u'a')) << false << "";
    QTest::addRow("4000 after trimming")
        << QJsonValue("   " + QString(4000, u'a') + "   ") << true << QString(4000, u'a');
    QTest::addRow("4000 emoji (8000 UTF-16 units)")
        << QJsonValue(emoji.repeated(4000)) << true << emoji.repeated(4000);
    QTest::addRow("4001 emoji") << QJsonValue(emoji.repeated(4001)) << false << "";
    QTest::addRow("3999 chars and one emoji")
        << QJsonValue(QString(3999, u'a') + emoji) << true << QString(3999, u'a') + emoji;
    QTest::addRow("4000 chars and one emoji")
        << QJsonValue(QString(4000, u'a') + emoji) << false << "";
    QTest::addRow("empty") << QJsonValue("") << false << "";
    QTest::addRow("spaces only") << QJsonValue("    ") << false << "";
    QTest::addRow("whitespace only") << QJsonValue(" \n\t\r ") << false << "";
    QTest::addRow("NUL inside") << QJsonValue(QStringLiteral("a\u0000b")) << false << "";
    QTest::addRow("bell inside") << QJsonValue(QStringLiteral("a\u0007b")) << false << "";
    QTest::addRow("escape inside") << QJsonValue(QStringLiteral("a\u001b[31mred")) << false << "";
    QTest::addRow("DEL inside") << QJsonValue(QStringLiteral("a\u007fb")) << false << "";
    QTest::addRow("non-ASCII") << QJsonValue(QStringLiteral("zażółć gęślą jaźń")) << true
                               << QStringLiteral("zażółć gęślą jaźń");
    QTest::addRow("HTML stays text") << QJsonValue("<b>x</b>") << true << "<b>x</b>";
    QTest::addRow("number") << QJsonValue(42) << false << "";
    QTest::addRow("null") << QJsonValue(QJsonValue::Null) << false << "";
    QTest::addRow("missing") << QJsonValue(QJsonValue::Undefined) << false << "";
    QTest::addRow("bool") << QJsonValue(true) << false << "";
    QTest::addRow("array") << QJsonValue(QJsonArray { "hi" }) << false << "";
    QTest::addRow("object") << QJsonValue(QJsonObject { { "text", "hi" } }) << false << "";
}

void tst_Topics::normalizedBody()
{
    QFETCH(QJsonValue, body);
    QFETCH(bool, valid);
    QFETCH(QString, expected);

    const std::optional<QString> normalized = Parley::Protocol::normalizedBody(body);
    QCOMPARE(normalized.has_value(), valid);
    if (valid)
        QCOMPARE(*normalized, expected);
}

void tst_Topics::normalizedNick_data()
{
    QTest::addColumn<QString>("nick");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("expected");

    QTest::addRow("plain") << "ana" << true << "ana";
    QTest::addRow("trimmed") << "  Ana Maria \t" << true << "Ana Maria";
    QTest::addRow("one char") << "a" << true << "a";
    QTest::addRow("32 chars") << QString(32, u'n') << true << QString(32, u'n');
    QTest::addRow("33 chars") << QString(33, u'n') << false << "";
    QTest::addRow("32 emoji") << emoji.repeated(32) << true << emoji.repeated(32);
    QTest::addRow("33 emoji") << emoji.repeated(33) << false << "";
    QTest::addRow("non-ASCII") << QStringLiteral("Łucja") << true << QStringLiteral("Łucja");
    QTest::addRow("empty") << "" << false << "";
    QTest::addRow("spaces only") << "   " << false << "";
    QTest::addRow("tab inside") << "a\tb" << false << "";
    QTest::addRow("newline inside") << "a\nb" << false << "";
    QTest::addRow("NUL inside") << QStringLiteral("a\u0000b") << false << "";
    QTest::addRow("DEL inside") << QStringLiteral("a\u007fb") << false << "";
    QTest::addRow("C1 control inside") << QStringLiteral("a\u0085b") << false << "";
    QTest::addRow("line separator inside") << QStringLiteral("a\u2028b") << false << "";
}

void tst_Topics::normalizedNick()
{
    QFETCH(QString, nick);
    QFETCH(bool, valid);
    QFETCH(QString, expected);

    const std::optional<QString> normalized = Parley::Protocol::normalizedNick(nick);
    QCOMPARE(normalized.has_value(), valid);
    if (valid)
        QCOMPARE(*normalized, expected);
}

void tst_Topics::controlCharacters_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("control");

    QTest::addRow("plain") << "desktop" << false;
    QTest::addRow("empty") << "" << false;
    QTest::addRow("space") << "a b" << false;
    QTest::addRow("non-breaking space") << QStringLiteral("a\u00a0b") << false;
    QTest::addRow("NUL") << QStringLiteral("\u0000") << true;
    QTest::addRow("unit separator") << QStringLiteral("\u001f") << true;
    QTest::addRow("DEL") << QStringLiteral("\u007f") << true;
    QTest::addRow("last C1") << QStringLiteral("\u009f") << true;
    QTest::addRow("paragraph separator") << QStringLiteral("\u2029") << true;
}

void tst_Topics::controlCharacters()
{
    QFETCH(QString, text);
    QFETCH(bool, control);

    QCOMPARE(hasControlCharacters(text), control);
}

void tst_Topics::integerIn_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<qint64>("min");
    QTest::addColumn<qint64>("max");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("expected");

    constexpr qint64 maxId = (qint64(1) << 53) - 1;
    QTest::addRow("inside") << QJsonValue(5) << qint64(1) << qint64(10) << true << qint64(5);
    QTest::addRow("min") << QJsonValue(1) << qint64(1) << qint64(100) << true << qint64(1);
    QTest::addRow("max") << QJsonValue(100) << qint64(1) << qint64(100) << true << qint64(100);
    QTest::addRow("below min") << QJsonValue(0) << qint64(1) << qint64(100) << false << qint64(0);
    QTest::addRow("above max") << QJsonValue(101) << qint64(1) << qint64(100) << false << qint64(0);
    QTest::addRow("negative") << QJsonValue(-1) << qint64(0) << qint64(10) << false << qint64(0);
    QTest::addRow("fraction") << QJsonValue(1.5) << qint64(1) << qint64(10) << false << qint64(0);
    QTest::addRow("integral double")
        << QJsonValue(7.0) << qint64(1) << qint64(10) << true << qint64(7);
    QTest::addRow("2^53 - 1") << QJsonValue(double(maxId)) << qint64(1) << maxId << true << maxId;
    QTest::addRow("2^53") << QJsonValue(double(maxId + 1)) << qint64(1) << maxId << false
                          << qint64(0);
    QTest::addRow("infinity") << QJsonValue(std::numeric_limits<double>::infinity()) << qint64(1)
                              << maxId << false << qint64(0);
    QTest::addRow("NaN") << QJsonValue(std::nan("")) << qint64(1) << maxId << false << qint64(0);
    QTest::addRow("numeric string")
        << QJsonValue("5") << qint64(1) << qint64(10) << false << qint64(0);
    QTest::addRow("bool") << QJsonValue(true) << qint64(0) << qint64(10) << false << qint64(0);
    QTest::addRow("null") << QJsonValue(QJsonValue::Null) << qint64(0) << qint64(10) << false
                          << qint64(0);
    QTest::addRow("missing") << QJsonValue(QJsonValue::Undefined) << qint64(0) << qint64(10)
                             << false << qint64(0);
}

void tst_Topics::integerIn()
{
    QFETCH(QJsonValue, value);
    QFETCH(qint64, min);
    QFETCH(qint64, max);
    QFETCH(bool, valid);
    QFETCH(qint64, expected);

    const std::optional<qint64> number = Parley::Protocol::integerIn(value, min, max);
    QCOMPARE(number.has_value(), valid);
    if (valid)
        QCOMPARE(*number, expected);
}

QTEST_APPLESS_MAIN(tst_Topics)
void tst_Topics::topicKinds_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("room");
    QTest::addColumn<bool>("dm");
    QTest::addColumn<QString>("roomName");

    QTest::addRow("room") << "room:general" << true << false << "general";
    QTest::addRow("dm") << dmTopic(id8, idB) << false << true << "";
    QTest::addRow("lobby") << "hub:lobby" << false << false << "";
    QTest::addRow("heartbeat") << "phoenix" << false << false << "";
    QTest::addRow("prefix only in the middle") << "xroom:general" << false << false << "";
    QTest::addRow("upper case prefix") << "Room:general" << false << false << "";
    QTest::addRow("dm-like room name") << "room:dm" << true << false << "dm";
}

void tst_Topics::topicKinds()
{
    QFETCH(QString, topic);
    QFETCH(bool, room);
    QFETCH(bool, dm);
    QFETCH(QString, roomName);
    QCOMPARE(isRoomTopic(topic), room);
    QCOMPARE(isDmTopic(topic), dm);
    QCOMPARE(isConversationTopic(topic), room || dm);
    QCOMPARE(roomNameOf(topic), roomName);
    if (room)
        QCOMPARE(roomTopic(roomNameOf(topic)), topic);
}

void tst_Topics::statuses_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<bool>("valid");

    QTest::addRow("online") << "online" << true;
    QTest::addRow("away") << "away" << true;
    QTest::addRow("busy") << "busy" << true;
    QTest::addRow("empty") << "" << false;
    QTest::addRow("upper case") << "Online" << false;
    QTest::addRow("offline is not settable") << "offline" << false;
    QTest::addRow("padded") << " away" << false;
}

void tst_Topics::statuses()
{
    QFETCH(QString, status);
    QFETCH(bool, valid);
    QCOMPARE(isValidStatus(status), valid);
}

void tst_Topics::reasonOfAReply_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<QJsonObject>("response");
    QTest::addColumn<QString>("reason");

    QTest::addRow("error with reason") << "error" << errorResponse(QStringLiteral("no_such_room"))
                                       << "no_such_room";
    QTest::addRow("reason and detail") << "error"
                                       << errorResponse(QStringLiteral("invalid_payload"), QStringLiteral("x"))
                                       << "invalid_payload";
    QTest::addRow("timeout, no payload") << "timeout" << QJsonObject() << "timeout";
    QTest::addRow("reason not a string") << "error" << QJsonObject { { "reason", 3 } } << "error";
}

void tst_Topics::reasonOfAReply()
{
    QFETCH(QString, status);
    QFETCH(QJsonObject, response);
    QFETCH(QString, reason);
    QCOMPARE(reasonOf(status, response), reason);
}

#include "tst_topics.moc"
