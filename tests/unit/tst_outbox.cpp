// Client::Outbox, what a conversation owes the hub, with no socket: scripts of sends, attempts,
// replies and lost connections, each checked for the outcome of every reply and what is left
// to push (in the order written). And Client::Conversation before any join: a message is shown
// pending and waits in the outbox, edits and deletes wait in order, bad bodies are explained.

#include "client/conversation.h"
#include "client/messagemodel.h"
#include "client/nickdirectory.h"
#include "client/outbox.h"
#include "testkeys.h"

#include <QTest>

using namespace Parley;
using Client::Outbox;

Q_DECLARE_METATYPE(Outbox::Outcome)

namespace {

QString outcomeName(Outbox::Outcome outcome)
{
    switch (outcome) {
    case Outbox::Outcome::Confirmed:
        return QStringLiteral("confirmed");
    case Outbox::Outcome::Stale:
        return QStringLiteral("stale");
    case Outbox::Outcome::Resend:
        return QStringLiteral("resend");
    case Outbox::Outcome::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

} // namespace

class TestOutbox : public QObject
{
    Q_OBJECT

private slots:
    void followsAScript_data();
    void followsAScript();
    void aMessageIsAddedOnce();
    void changesWaitInOrder();

    void conversationBeforeJoinKeepsEverything();
    void bodyProblems_data();
    void bodyProblems();
};

// Steps: "add ID", "send ID" (a push begins; its attempt number is checked against the
// expected `attempts`), "reply ID ATTEMPT STATUS" (its outcome is recorded), "confirm ID" (our
// message came back as a broadcast), "lost" (the channel errored).
void TestOutbox::followsAScript_data()
{
    QTest::addColumn<QStringList>("steps");
    QTest::addColumn<QList<int>>("attempts");
    QTest::addColumn<QStringList>("outcomes");
    QTest::addColumn<QStringList>("due"); // to push after the script
    QTest::addColumn<QStringList>("left"); // still owed, in order

    QTest::addRow("ok confirms") << QStringList { "add a", "send a", "reply a 1 ok" }
                                 << QList<int> { 1 } << QStringList { "confirmed" }
                                 << QStringList {} << QStringList {};
    QTest::addRow("timeout: sent again, same message")
        << QStringList { "add a", "send a", "reply a 1 timeout", "send a", "reply a 2 ok" }
        << QList<int> { 1, 2 } << QStringList { "resend", "confirmed" } << QStringList {}
        << QStringList {};
    QTest::addRow("late ok of an older attempt still confirms")
        << QStringList { "add a", "send a", "lost", "send a", "reply a 1 ok", "reply a 2 ok" }
        << QList<int> { 1, 2 } << QStringList { "confirmed", "stale" } << QStringList {}
        << QStringList {};
    QTest::addRow("late timeout of an older attempt is ignored")
        << QStringList { "add a", "send a", "lost", "send a", "reply a 1 timeout" }
        << QList<int> { 1, 2 } << QStringList { "stale" } << QStringList {} << QStringList { "a" };
    QTest::addRow("refused: failed and gone")
        << QStringList { "add a", "send a", "reply a 1 error" } << QList<int> { 1 }
        << QStringList { "failed" } << QStringList {} << QStringList {};
    QTest::addRow("broadcast before the reply")
        << QStringList { "add a", "send a", "confirm a", "reply a 1 ok" } << QList<int> { 1 }
        << QStringList { "stale" } << QStringList {} << QStringList {};
    QTest::addRow("lost connection: all due again, in order")
        << QStringList { "add a", "add b", "add c", "send a", "send b", "lost" }
        << QList<int> { 1, 1 } << QStringList {} << QStringList { "a", "b", "c" }
        << QStringList { "a", "b", "c" };
    QTest::addRow("only what is not in flight is due")
        << QStringList { "add a", "add b", "send a" } << QList<int> { 1 } << QStringList {}
        << QStringList { "b" } << QStringList { "a", "b" };
    QTest::addRow("a reply for an unknown message")
        << QStringList { "reply x 1 timeout", "reply x 1 ok" } << QList<int> {}
        << QStringList { "stale", "stale" } << QStringList {} << QStringList {};
}

void TestOutbox::followsAScript()
{
    QFETCH(QStringList, steps);
    QFETCH(QList<int>, attempts);
    QFETCH(QStringList, outcomes);
    QFETCH(QStringList, due);
    QFETCH(QStringList, left);
    Outbox outbox;
    QList<int> gotAttempts;
    QStringList gotOutcomes;
    for (const QString &step : steps) {
        const QStringList words = step.split(QLatin1Char(' '));
        const QString &verb = words.at(0);
        if (verb == QLatin1String("add"))
            QVERIFY(outbox.add(words.at(1), QStringLiteral("body of ") + words.at(1)));
        else if (verb == QLatin1String("send"))
            gotAttempts << outbox.beginAttempt(words.at(1));
        else if (verb == QLatin1String("reply"))
            gotOutcomes << outcomeName(outbox.reply(words.at(1), words.at(2).toInt(), words.at(3)));
        else if (verb == QLatin1String("confirm"))
            outbox.confirm(words.at(1));
        else if (verb == QLatin1String("lost"))
            outbox.connectionLost();
        else
            QFAIL(qPrintable(QStringLiteral("unknown step ") + step));
    }
    QCOMPARE(gotAttempts, attempts);
    QCOMPARE(gotOutcomes, outcomes);
    QCOMPARE(outbox.due(), due);
    QCOMPARE(outbox.clientIds(), left);
    QCOMPARE(outbox.size(), int(left.size()));
    for (const QString &clientId : left)
        QCOMPARE(outbox.body(clientId), QStringLiteral("body of ") + clientId);
}

void TestOutbox::aMessageIsAddedOnce()
{
    Outbox outbox;
    QVERIFY(outbox.add(QStringLiteral("a"), QStringLiteral("one")));
    QVERIFY(!outbox.add(QStringLiteral("a"), QStringLiteral("two")));
    QVERIFY(!outbox.add(QString(), QStringLiteral("no id")));
    QCOMPARE(outbox.size(), 1);
    QCOMPARE(outbox.body(QStringLiteral("a")), QStringLiteral("one"));
    QCOMPARE(outbox.beginAttempt(QStringLiteral("unknown")), 0);
}

void TestOutbox::changesWaitInOrder()
{
    Outbox outbox;
    using Change = Outbox::Change;
    const QList<Change> made { { Change::Kind::Edit, 7, QStringLiteral("fixed") },
                               { Change::Kind::Delete, 9, {} },
                               { Change::Kind::Edit, 7, QStringLiteral("fixed again") } };
    for (const Change &change : made)
        outbox.queueChange(change);
    QCOMPARE(outbox.pendingChanges(), 3);
    QCOMPARE(outbox.takeChanges(), made);
    QCOMPARE(outbox.pendingChanges(), 0);
    QVERIFY(outbox.takeChanges().isEmpty());
}

void TestOutbox::conversationBeforeJoinKeepsEverything()
{
    Client::Identity identity;
    identity.key = Testing::TestKeys::forLabel(QStringLiteral("ana"));
    identity.nick = QStringLiteral("Ana");
    Client::NickDirectory nicks;
    Client::Conversation conversation(QStringLiteral("room:general"), {}, identity, &nicks);
    QVERIFY(!conversation.isJoined());
    QVERIFY(!conversation.isDm());

    conversation.send(QStringLiteral("hello"));
    conversation.send(QStringLiteral("   ")); // nothing to send
    Client::MessageModel *messages = conversation.messages();
    QCOMPARE(messages->rowCount(), 1);
    const Client::ChatMessage shown = messages->messageAt(0);
    QCOMPARE(shown.state, Client::ChatMessage::State::Pending);
    QCOMPARE(shown.body, QStringLiteral("hello"));
    QCOMPARE(conversation.outbox().clientIds(), QStringList { shown.clientId });
    QCOMPARE(conversation.outbox().due(), QStringList { shown.clientId });

    conversation.edit(3, QStringLiteral("better"));
    conversation.remove(4);
    QCOMPARE(conversation.outbox().pendingChanges(), 2);
    conversation.setTyping(true); // not joined: nothing to tell
    conversation.loadOlder();
    conversation.retry(shown.clientId); // not failed: nothing to do
    QCOMPARE(conversation.outbox().size(), 1);
}

void TestOutbox::bodyProblems_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<bool>("fine");
    QTest::addRow("text") << QStringLiteral("hello") << true;
    QTest::addRow("4000 characters") << QString(4000, QLatin1Char('x')) << true;
    QTest::addRow("empty") << QString() << false;
    QTest::addRow("blank") << QStringLiteral(" \n\t ") << false;
    QTest::addRow("4001 characters") << QString(4001, QLatin1Char('x')) << false;
    QTest::addRow("control character") << QStringLiteral("a\x07") << false;
}

void TestOutbox::bodyProblems()
{
    QFETCH(QString, body);
    QFETCH(bool, fine);
    QCOMPARE(Client::Conversation::bodyProblem(body).isEmpty(), fine);
}

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_outbox.moc"
