// new_msg on the wire, against a real HubRunner: replies and broadcasts to every member once,
// idempotent resends, body validation and the per-connection rate limit and flood close.

#include "hubchannelstesthelpers.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace HubChannelsTest;

class tst_HubMessages : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void newMsgRepliesAndBroadcastsToEveryMemberOnce();
    void resentNewMsgWithSameClientIdIsNotDuplicated();
    void storedHubRepliesAndBroadcastsInCommitOrder();
    void pipelinedDeleteThenEditOrDeleteIsNotFound();
    void invalidBodyIsRefused_data();
    void invalidBodyIsRefused();
    void burstBeyondRateIsRateLimited();
    void floodingClosesWith1008();

private:
    // A hub on SQLite in `dir` (no rate limit) with ana and bob in #general.
    bool startStoredHubWithTwoInGeneral(const QTemporaryDir &dir, RawPhoenixClient &ana,
                                        RawPhoenixClient &bob);

    std::unique_ptr<TestHub> m_hub; // a fresh hub with default limits for every test
};

void tst_HubMessages::init()
{
    m_hub = std::make_unique<TestHub>();
    QVERIFY(m_hub->start());
}

void tst_HubMessages::cleanup()
{
    m_hub.reset();
}

void tst_HubMessages::newMsgRepliesAndBroadcastsToEveryMemberOnce()
{
    RawPhoenixClient sender;
    RawPhoenixClient member;
    RawPhoenixClient outsider; // connected, in the lobby, not in the room
    QVERIFY(sender.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(member.openAccepted(m_hub->url(), userB, QStringLiteral("bob")));
    QVERIFY(outsider.openAccepted(m_hub->url(), userC, QStringLiteral("cy")));
    QVERIFY(sender.joinAndWait(general));
    QVERIFY(member.joinAndWait(general));
    QVERIFY(outsider.joinAndWait(lobby));
    const qsizetype senderBefore = sender.frames().size();
    const qsizetype memberBefore = member.frames().size();
    const qsizetype outsiderBefore = outsider.frames().size();

    const qint64 sentAt = QDateTime::currentMSecsSinceEpoch();
    const QString ref = sender.push(
        general, "new_msg",
        QJsonObject { { "body", "  hello, żółw 😀  " }, { "client_id", "client-0001" } });
    const auto reply = sender.waitForReply(ref);
    QVERIFY2(reply, qPrintable(sender.dump()));
    QCOMPARE(reply->joinRef, sender.joinRefOf(general));
    QCOMPARE(reply->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(keysOf(reply->replyResponse()), setOf({ "message" }));
    const QJsonObject message = reply->replyResponse().value("message").toObject();
    QCOMPARE(keysOf(message),
             setOf({ "id", "room", "user_id", "nick", "body", "ts", "client_id", "edited_ts",
                     "deleted" }));
    QVERIFY(message.value("id").isDouble() && message.value("id").toDouble() >= 1);
    QCOMPARE(message.value("room").toString(), QStringLiteral("general"));
    QCOMPARE(message.value("user_id").toString(), userA);
    QCOMPARE(message.value("nick").toString(), QStringLiteral("ana"));
    QCOMPARE(message.value("body").toString(), QStringLiteral("hello, żółw 😀")); // trimmed
    QVERIFY(qAbs(message.value("ts").toInteger() - sentAt) < 10'000);
    QCOMPARE(message.value("client_id").toString(), QStringLiteral("client-0001"));
    QVERIFY(message.value("edited_ts").isNull());
    QCOMPARE(message.value("deleted"), QJsonValue(false));

    // A second message as a sentinel: once it is broadcast, the first one's broadcasts are in.
    QVERIFY(sender.pushAndWait(general, "new_msg", QJsonObject { { "body", "sentinel" } }));
    const auto isSentinel = newMsgWithBody(general, "sentinel");
    QVERIFY(sender.waitForFrame(isSentinel, 5000, senderBefore));
    QVERIFY(member.waitForFrame(isSentinel, 5000, memberBefore));
    const auto isFirst = [&message](const Message &m) {
        return m.event == QLatin1String("new_msg") && !m.isReply()
            && m.payloadObject().value("id") == message.value("id");
    };
    for (RawPhoenixClient *client : { &sender, &member }) {
        const qsizetype from = client == &sender ? senderBefore : memberBefore;
        const QList<Message> broadcasts = client->framesMatching(isFirst, from);
        QCOMPARE(broadcasts.size(), 1);
        QVERIFY(broadcasts.first().joinRef.isNull());
        QVERIFY(broadcasts.first().ref.isNull());
        QCOMPARE(broadcasts.first().topic, general);
        QCOMPARE(broadcasts.first().payloadObject(), message); // the same MESSAGE as the reply
    }
    QVERIFY(outsider.roundTrip());
    QCOMPARE(outsider.count([](const Message &m) { return m.event == QLatin1String("new_msg"); },
                            outsiderBefore),
             0);
}

void tst_HubMessages::resentNewMsgWithSameClientIdIsNotDuplicated()
{
    RawPhoenixClient sender;
    QVERIFY(sender.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(sender.joinAndWait(general));
    const qsizetype before = sender.frames().size();
    const QJsonObject payload { { "body", "only once" }, { "client_id", "resend-0001" } };
    const auto first = sender.pushAndWait(general, "new_msg", payload);
    const auto again = sender.pushAndWait(general, "new_msg", payload);
    QVERIFY(first && again);
    QCOMPARE(again->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(again->replyResponse().value("message"), first->replyResponse().value("message"));
    QVERIFY(sender.pushAndWait(general, "new_msg", QJsonObject { { "body", "sentinel" } }));
    QVERIFY(sender.waitForFrame(newMsgWithBody(general, "sentinel"), 5000, before));
    QCOMPARE(sender.count(newMsgWithBody(general, "only once"), before), 1);
}

bool tst_HubMessages::startStoredHubWithTwoInGeneral(const QTemporaryDir &dir,
                                                     RawPhoenixClient &ana, RawPhoenixClient &bob)
{
    if (!dir.isValid())
        return false;
    HubSettings settings = TestHub::settings();
    settings.dataDir = dir.path();
    settings.maxRate = 0;
    m_hub = std::make_unique<TestHub>(settings);
    return m_hub->start() && ana.openAccepted(m_hub->url(), userA, QStringLiteral("ana"))
        && bob.openAccepted(m_hub->url(), userB, QStringLiteral("bob")) && ana.joinAndWait(general)
        && bob.joinAndWait(general);
}

// A hub on SQLite commits on its store thread (docs/protocol.md, "Durability"): what is
// pipelined is acked and broadcast in commit order, ids increasing, each message once.
void tst_HubMessages::storedHubRepliesAndBroadcastsInCommitOrder()
{
    QTemporaryDir dir;
    RawPhoenixClient sender, member;
    QVERIFY(startStoredHubWithTwoInGeneral(dir, sender, member));
    const qsizetype before = member.frames().size();
    QStringList refs;
    for (int i = 0; i < 40; ++i)
        refs << sender.push(general, "new_msg",
                            QJsonObject { { "body", QStringLiteral("m%1").arg(i) } });
    QList<qint64> replied;
    for (const QString &ref : refs) {
        const auto reply = sender.waitForReply(ref);
        QVERIFY2(reply && reply->replyStatus() == QLatin1String("ok"), qPrintable(sender.dump()));
        replied << reply->replyResponse().value("message").toObject().value("id").toInteger();
    }
    QVERIFY(member.waitForFrame(newMsgWithBody(general, "m39"), 5000, before));
    QList<qint64> broadcast;
    QStringList bodies;
    for (const Message &m :
         member.framesMatching(RawPhoenixClient::isEvent(general, "new_msg"), before)) {
        broadcast << m.payloadObject().value("id").toInteger();
        bodies << m.payloadObject().value("body").toString();
    }
    QCOMPARE(broadcast, replied); // the same ids, in the same order
    for (qsizetype i = 1; i < broadcast.size(); ++i)
        QVERIFY(broadcast[i] > broadcast[i - 1]);
    QCOMPARE(bodies.size(), 40);
    QCOMPARE(bodies.first(), QStringLiteral("m0"));
    QCOMPARE(bodies.last(), QStringLiteral("m39"));
}

// A delete commits on the store thread; an edit or a second delete pipelined behind it is
// not_found, as if the first had already committed, and the room hears of it once.
void tst_HubMessages::pipelinedDeleteThenEditOrDeleteIsNotFound()
{
    QTemporaryDir dir;
    RawPhoenixClient author, member;
    QVERIFY(startStoredHubWithTwoInGeneral(dir, author, member));
    const auto posted
        = author.pushAndWait(general, "new_msg", QJsonObject { { "body", "doomed" } });
    QVERIFY(posted && posted->replyStatus() == QLatin1String("ok"));
    const qint64 id = posted->replyResponse().value("message").toObject().value("id").toInteger();
    const qsizetype before = member.frames().size();
    const QString del = author.push(general, "delete_msg", QJsonObject { { "id", id } });
    const QString again = author.push(general, "delete_msg", QJsonObject { { "id", id } });
    const QString edit
        = author.push(general, "edit_msg", QJsonObject { { "id", id }, { "body", "too late" } });
    const auto delReply = author.waitForReply(del);
    const auto againReply = author.waitForReply(again);
    const auto editReply = author.waitForReply(edit);
    QVERIFY(delReply && againReply && editReply);
    QCOMPARE(delReply->replyStatus(), QStringLiteral("ok"));
    QCOMPARE(reasonOf(*againReply), QStringLiteral("not_found"));
    QCOMPARE(reasonOf(*editReply), QStringLiteral("not_found"));
    QVERIFY(member.roundTrip());
    QVERIFY(author.roundTrip());
    QCOMPARE(member.count(RawPhoenixClient::isEvent(general, "msg_deleted"), before), 1);
    QCOMPARE(member.count(RawPhoenixClient::isEvent(general, "msg_edited"), before), 0);
}

void tst_HubMessages::invalidBodyIsRefused_data()
{
    QTest::addColumn<QJsonValue>("payload");
    QTest::addColumn<QString>("reason"); // empty: accepted

    QTest::addRow("4000 chars") << QJsonValue(QJsonObject { { "body", QString(4000, u'a') } })
                                << "";
    QTest::addRow("4000 emoji") << QJsonValue(
        QJsonObject { { "body", QStringLiteral("😀").repeated(4000) } })
                                << "";
    QTest::addRow("empty") << QJsonValue(QJsonObject { { "body", "" } }) << "invalid_body";
    QTest::addRow("whitespace") << QJsonValue(QJsonObject { { "body", " \n\t  " } })
                                << "invalid_body";
    QTest::addRow("4001 chars") << QJsonValue(QJsonObject { { "body", QString(4001, u'a') } })
                                << "invalid_body";
    QTest::addRow("4001 emoji") << QJsonValue(
        QJsonObject { { "body", QStringLiteral("😀").repeated(4001) } })
                                << "invalid_body";
    QTest::addRow("control character")
        << QJsonValue(QJsonObject { { "body", QStringLiteral("a\u0007b") } }) << "invalid_body";
    QTest::addRow("number") << QJsonValue(QJsonObject { { "body", 42 } }) << "invalid_body";
    QTest::addRow("null") << QJsonValue(QJsonObject { { "body", QJsonValue::Null } })
                          << "invalid_body";
    QTest::addRow("array") << QJsonValue(QJsonObject { { "body", QJsonArray { "hi" } } })
                           << "invalid_body";
    QTest::addRow("missing") << QJsonValue(QJsonObject { { "text", "hi" } }) << "invalid_body";
    QTest::addRow("payload not an object") << QJsonValue("hi") << "invalid_payload";
    QTest::addRow("bad client_id")
        << QJsonValue(QJsonObject { { "body", "hi" }, { "client_id", "short" } })
        << "invalid_payload";
}

void tst_HubMessages::invalidBodyIsRefused()
{
    QFETCH(QJsonValue, payload);
    QFETCH(QString, reason);

    RawPhoenixClient sender;
    RawPhoenixClient member;
    QVERIFY(sender.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(member.openAccepted(m_hub->url(), userB, QStringLiteral("bob")));
    QVERIFY(sender.joinAndWait(general));
    QVERIFY(member.joinAndWait(general));
    const qsizetype before = member.frames().size();

    const auto reply = sender.pushAndWait(general, "new_msg", payload);
    QVERIFY2(reply, qPrintable(sender.dump()));
    if (reason.isEmpty()) {
        QCOMPARE(reply->replyStatus(), QStringLiteral("ok"));
    } else {
        QCOMPARE(reply->replyStatus(), QStringLiteral("error"));
        QCOMPARE(reasonOf(*reply), reason);
    }
    // Only an accepted message reaches the other member.
    QVERIFY(sender.pushAndWait(general, "new_msg", QJsonObject { { "body", "sentinel" } }));
    QVERIFY(member.waitForFrame(newMsgWithBody(general, "sentinel"), 5000, before));
    const auto isNewMsg = RawPhoenixClient::isEvent(general, "new_msg");
    QCOMPARE(member.count(isNewMsg, before), reason.isEmpty() ? 2 : 1);
    QVERIFY(sender.isOpen());
}

void tst_HubMessages::burstBeyondRateIsRateLimited()
{
    HubSettings settings = TestHub::settings();
    settings.maxRate = 5; // burst 10
    TestHub hub(settings);
    QVERIFY(hub.start());

    RawPhoenixClient client;
    QVERIFY(client.openAccepted(hub.url(), userA, QStringLiteral("ana"))); // 1 event
    QVERIFY(client.joinAndWait(general)); // 2 events
    const qsizetype before = client.frames().size();
    QStringList refs;
    for (int i = 0; i < 20; ++i)
        refs << client.push(general, "new_msg",
                            QJsonObject { { "body", QStringLiteral("burst %1").arg(i) } });

    QSet<QString> accepted;
    int limited = 0;
    for (int i = 0; i < refs.size(); ++i) {
        const auto reply = client.waitForReply(refs[i]);
        QVERIFY2(reply, qPrintable(client.dump()));
        if (reply->replyStatus() == QLatin1String("ok")) {
            accepted.insert(QStringLiteral("burst %1").arg(i));
            continue;
        }
        QCOMPARE(reasonOf(*reply), QStringLiteral("rate_limited"));
        const QJsonValue retryAfter = reply->replyResponse().value("retry_after_ms");
        QVERIFY2(retryAfter.isDouble(), "retry_after_ms is a number");
        QVERIFY(retryAfter.toInteger() > 0 && retryAfter.toInteger() <= 200);
        ++limited;
    }
    // 10 tokens, 2 spent before the burst; one or two may come back while it is read.
    QVERIFY2(accepted.size() >= 8 && accepted.size() <= 12,
             qPrintable(QString::number(accepted.size())));
    QCOMPARE(limited, 20 - int(accepted.size()));
    // Exactly the accepted messages were broadcast.
    QTRY_COMPARE(client.count(RawPhoenixClient::isEvent(general, "new_msg"), before),
                 accepted.size());
    QSet<QString> broadcast;
    for (const Message &m :
         client.framesMatching(RawPhoenixClient::isEvent(general, "new_msg"), before))
        broadcast.insert(m.payloadObject().value("body").toString());
    QCOMPARE(broadcast, accepted);
    QVERIFY(client.isOpen()); // limited, not closed: it stopped before floodCloseMs
}

void tst_HubMessages::floodingClosesWith1008()
{
    HubSettings settings = TestHub::settings();
    settings.maxRate = 5;
    settings.floodCloseMs = 500;
    TestHub hub(settings);
    QVERIFY(hub.start());

    RawPhoenixClient flooder;
    QVERIFY(flooder.openAccepted(hub.url(), userA, QStringLiteral("ana")));
    // 200 events/s against 5/s: a few still pass as tokens come back, but it never lets up.
    QTimer flood;
    flood.setInterval(5);
    connect(&flood, &QTimer::timeout, &flooder, [&flooder] {
        if (flooder.isOpen())
            flooder.heartbeat();
    });
    flood.start();
    QVERIFY2(flooder.waitForClose(5000), qPrintable(QString::number(flooder.frames().size())));
    flood.stop();
    QCOMPARE(flooder.closeCode(), 1008);
    QCOMPARE(flooder.closeReason(), QStringLiteral("flooding"));

    qsizetype firstLimited = -1;
    qsizetype passedWhileFlooding = 0;
    for (qsizetype i = 0; i < flooder.frames().size(); ++i) {
        const Message &m = flooder.frames().at(i);
        if (firstLimited < 0 && reasonOf(m) == QLatin1String("rate_limited"))
            firstLimited = i;
        else if (firstLimited >= 0 && m.replyStatus() == QLatin1String("ok"))
            ++passedWhileFlooding;
    }
    QVERIFY(firstLimited >= 0);
    QVERIFY2(passedWhileFlooding >= 1, "tokens trickled back during the flood");
    // Not before floodCloseMs of flooding (less the reply's trip).
    const qint64 floodingFor = flooder.closedAtMs() - flooder.arrivalMs().at(firstLimited);
    QVERIFY2(floodingFor >= 450, qPrintable(QString::number(floodingFor)));
}

QTEST_GUILESS_MAIN(tst_HubMessages)
#include "tst_hubmessages.moc"
