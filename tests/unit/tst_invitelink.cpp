// Client::InviteLink: parley://HOST:PORT/?hub=ID&fp=HEX[&room=NAME] read and written. Good links
// give the hub's mount URL, id, pin and room; everything else is refused with a reason, never
// half-read: missing parts, a cut fingerprint, another scheme, repeated or unknown parts, and
// attempts to smuggle something through the room name.

#include "client/invitelink.h"

#include <QTest>

using Parley::Client::InviteLink;

namespace {
const QString fp
    = QStringLiteral("3f2a91c077de0b14c2d9aa55e10f8b6c4d2e7a9b3f50c81e6d2a4f7b09e35d1c");
const QString hub = QStringLiteral("5e9e818b-b829-42fd-8359-a3f9f98e7030");
} // namespace

class TestInviteLink : public QObject
{
    Q_OBJECT

private slots:
    void readsGoodLinks_data();
    void readsGoodLinks();
    void refusesBadLinks_data();
    void refusesBadLinks();
    void writesWhatItReads_data();
    void writesWhatItReads();
};

void TestInviteLink::readsGoodLinks_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("mountUrl");
    QTest::addColumn<QString>("fingerprint");
    QTest::addColumn<QString>("room");
    const QString base = QStringLiteral("parley://192.168.1.20:4000/?hub=") + hub;
    QTest::addRow("hub and pin") << base + QStringLiteral("&fp=") + fp
                                 << QStringLiteral("wss://192.168.1.20:4000/socket") << fp
                                 << QString();
    QTest::addRow("with a room") << base + QStringLiteral("&fp=") + fp
            + QStringLiteral("&room=design")
                                 << QStringLiteral("wss://192.168.1.20:4000/socket") << fp
                                 << QStringLiteral("design");
    QTest::addRow("parts in another order")
        << QStringLiteral("parley://192.168.1.20:4000/?room=design&fp=%1&hub=%2").arg(fp, hub)
        << QStringLiteral("wss://192.168.1.20:4000/socket") << fp << QStringLiteral("design");
    QTest::addRow("fingerprint as parley-hub prints it")
        << base + QStringLiteral("&fp=sha256:") + fp.toUpper()
        << QStringLiteral("wss://192.168.1.20:4000/socket") << fp << QString();
    // Without a fingerprint a link means "ask" (the trust dialog over TLS), never plain ws://:
    // a link is what someone else wrote, and dropping its fp must not drop the encryption.
    QTest::addRow("no pin: asked, over TLS all the same")
        << base << QStringLiteral("wss://192.168.1.20:4000/socket") << QString() << QString();
    QTest::addRow("no slash before the query")
        << QStringLiteral("parley://10.0.0.7:4100?hub=%1&fp=%2").arg(hub, fp)
        << QStringLiteral("wss://10.0.0.7:4100/socket") << fp << QString();
    QTest::addRow("spaces around, as pasted")
        << QStringLiteral("  %1&fp=%2 \n").arg(base, fp)
        << QStringLiteral("wss://192.168.1.20:4000/socket") << fp << QString();
    QTest::addRow("IPv6") << QStringLiteral("parley://[fe80::1]:4000/?hub=%1&fp=%2").arg(hub, fp)
                          << QStringLiteral("wss://[fe80::1]:4000/socket") << fp << QString();
    QTest::addRow("a name")
        << QStringLiteral("parley://ana-laptop.local:4000/?hub=%1&fp=%2").arg(hub, fp)
        << QStringLiteral("wss://ana-laptop.local:4000/socket") << fp << QString();
    QTest::addRow("scheme in capitals")
        << QStringLiteral("PARLEY://127.0.0.1:4000/?hub=%1&fp=%2").arg(hub, fp)
        << QStringLiteral("wss://127.0.0.1:4000/socket") << fp << QString();
}

void TestInviteLink::readsGoodLinks()
{
    QFETCH(QString, text);
    QFETCH(QString, mountUrl);
    QFETCH(QString, fingerprint);
    QFETCH(QString, room);
    QString error;
    const std::optional<InviteLink> link = InviteLink::parse(text, &error);
    QVERIFY2(link, qPrintable(error));
    QCOMPARE(link->mountUrl, QUrl(mountUrl));
    QCOMPARE(link->hubId, hub);
    QCOMPARE(link->fingerprint, fingerprint);
    QCOMPARE(link->room, room);
    QVERIFY(InviteLink::isInvite(text));
}

void TestInviteLink::refusesBadLinks_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("reason"); // a word the error must contain
    const QString good = QStringLiteral("parley://192.168.1.20:4000/?hub=%1&fp=%2").arg(hub, fp);
    QTest::addRow("empty") << QString() << QStringLiteral("not a Parley invite link");
    QTest::addRow("another scheme")
        << QString(good).replace(QStringLiteral("parley:"), QStringLiteral("mumble:"))
        << QStringLiteral("not a Parley invite link");
    QTest::addRow("https") << QStringLiteral("https://192.168.1.20:4000/?hub=%1").arg(hub)
                           << QStringLiteral("not a Parley invite link");
    QTest::addRow("no host") << QStringLiteral("parley://:4000/?hub=%1").arg(hub)
                             << QStringLiteral("address");
    QTest::addRow("no port") << QStringLiteral("parley://192.168.1.20/?hub=%1&fp=%2").arg(hub, fp)
                             << QStringLiteral("port");
    QTest::addRow("port too big") << QStringLiteral("parley://192.168.1.20:70000/?hub=%1").arg(hub)
                                  << QStringLiteral("not a Parley invite link");
    QTest::addRow("no hub id") << QStringLiteral("parley://192.168.1.20:4000/?fp=%1").arg(fp)
                               << QStringLiteral("hub id");
    QTest::addRow("hub id with a slash")
        << QStringLiteral("parley://192.168.1.20:4000/?hub=a/b&fp=%1").arg(fp)
        << QStringLiteral("hub id");
    QTest::addRow("fingerprint cut") << good.chopped(1) << QStringLiteral("64 hexadecimal");
    QTest::addRow("fingerprint too long")
        << good + QStringLiteral("0") << QStringLiteral("64 hexadecimal");
    QTest::addRow("fingerprint not hex") << QString(good).replace(fp.right(1), QStringLiteral("z"))
                                         << QStringLiteral("64 hexadecimal");
    QTest::addRow("fingerprint empty")
        << QStringLiteral("parley://192.168.1.20:4000/?hub=%1&fp=").arg(hub)
        << QStringLiteral("64 hexadecimal");
    QTest::addRow("a part twice") << good + QStringLiteral("&hub=other") << QStringLiteral("twice");
    QTest::addRow("an unknown part")
        << good + QStringLiteral("&password=x") << QStringLiteral("unknown part");
    QTest::addRow("user info") << QStringLiteral("parley://eve@192.168.1.20:4000/?hub=%1").arg(hub)
                               << QStringLiteral("never has");
    QTest::addRow("a path") << QStringLiteral("parley://192.168.1.20:4000/socket?hub=%1").arg(hub)
                            << QStringLiteral("never has");
    QTest::addRow("a fragment") << good + QStringLiteral("#x") << QStringLiteral("never has");
    QTest::addRow("room: capitals")
        << good + QStringLiteral("&room=General") << QStringLiteral("room");
    QTest::addRow("room: a second part")
        << good + QStringLiteral("&room=general%26fp%3Dbad") << QStringLiteral("room");
    QTest::addRow("room: a path") << good + QStringLiteral("&room=..%2Fsecret")
                                  << QStringLiteral("room");
    QTest::addRow("room: markup") << good + QStringLiteral("&room=%3Cb%3Ex%3C%2Fb%3E")
                                  << QStringLiteral("room");
    QTest::addRow("room: a new line")
        << good + QStringLiteral("&room=general%0Aevil") << QStringLiteral("room");
    QTest::addRow("room: a dm topic")
        << good + QStringLiteral("&room=dm:a:b") << QStringLiteral("room");
    QTest::addRow("room: empty") << good + QStringLiteral("&room=") << QStringLiteral("room");
    QTest::addRow("room: too long")
        << good + QStringLiteral("&room=") + QString(41, QLatin1Char('a'))
        << QStringLiteral("room");
    QTest::addRow("huge") << good + QStringLiteral("&room=") + QString(5000, QLatin1Char('a'))
                          << QStringLiteral("too long");
}

void TestInviteLink::refusesBadLinks()
{
    QFETCH(QString, text);
    QFETCH(QString, reason);
    QString error;
    QVERIFY(!InviteLink::parse(text, &error));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

void TestInviteLink::writesWhatItReads_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("fingerprint");
    QTest::addColumn<QString>("room");
    QTest::addRow("pinned, with a room")
        << QStringLiteral("192.168.1.20") << fp << QStringLiteral("design");
    QTest::addRow("no fingerprint") << QStringLiteral("10.0.0.7") << QString() << QString();
    QTest::addRow("IPv6") << QStringLiteral("fe80::1") << fp << QStringLiteral("general");
}

void TestInviteLink::writesWhatItReads()
{
    QFETCH(QString, host);
    QFETCH(QString, fingerprint);
    QFETCH(QString, room);
    InviteLink link;
    link.mountUrl.setScheme(QStringLiteral("wss"));
    link.mountUrl.setHost(host);
    link.mountUrl.setPort(4000);
    link.mountUrl.setPath(QStringLiteral("/socket"));
    link.hubId = hub;
    link.fingerprint = fingerprint;
    link.room = room;
    const QString text = link.toString();
    QVERIFY2(text.startsWith(QStringLiteral("parley://")), qPrintable(text));
    QString error;
    const std::optional<InviteLink> read = InviteLink::parse(text, &error);
    QVERIFY2(read, qPrintable(error + QStringLiteral(": ") + text));
    QCOMPARE(*read, link);
}

QTEST_GUILESS_MAIN(TestInviteLink)
#include "tst_invitelink.moc"
