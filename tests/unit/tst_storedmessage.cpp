// A stored message as the hub sends it: the bytes written without a QJsonObject
// (StoredMessage::toJsonBytes, what a broadcast carries) say exactly what toJson() says.

#include "hub/historystore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

Q_DECLARE_METATYPE(Parley::Hub::StoredMessage)

class tst_StoredMessage : public QObject
{
    Q_OBJECT
private slots:
    void storedMessageBytesMatchTheObject_data();
    void storedMessageBytesMatchTheObject();
};

void tst_StoredMessage::storedMessageBytesMatchTheObject_data()
{
    using Parley::Hub::StoredMessage;
    QTest::addColumn<StoredMessage>("message");
    StoredMessage plain;
    plain.id = 1042;
    plain.room = QStringLiteral("general");
    plain.userId = QStringLiteral("u-1");
    plain.nick = QStringLiteral("ana");
    plain.body = QStringLiteral("hello");
    plain.ts = 1764107001456;
    plain.clientId = QStringLiteral("c-1");
    QTest::addRow("plain") << plain;
    StoredMessage noClient = plain;
    noClient.clientId.clear();
    QTest::addRow("no client_id") << noClient;
    StoredMessage edited = plain;
    edited.editedTs = 1764107009999;
    edited.body = QStringLiteral("line 1\nline \"2\" <b>ü</b> 😀");
    QTest::addRow("edited, escapes") << edited;
    StoredMessage deleted = plain;
    deleted.deleted = true;
    deleted.body.clear();
    deleted.id = 9007199254740991;
    QTest::addRow("deleted, largest id") << deleted;
}

void tst_StoredMessage::storedMessageBytesMatchTheObject()
{
    QFETCH(Parley::Hub::StoredMessage, message);
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(message.toJsonBytes(), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(parsed.object(), message.toJson());
}

QTEST_APPLESS_MAIN(tst_StoredMessage)
#include "tst_storedmessage.moc"
