// Identity against a live hub (docs/protocol.md, "Identity (signed connect)"): every refusal
// (bad_params, unauthorized, clock_skew:HUB_TS, replayed) with its close code, and the point
// of it all: someone who knows a user's user_id, but not their key, cannot connect as them,
// read their dm, or edit or delete their messages; and a hub the user joined cannot replay the
// user's connect at another hub, whatever Host header it forges. Runs over ws:// (connects bound
// to the hub id) and wss:// (bound to the certificate).

#include "handmadewebsocket.h"
#include "hubchannelstesthelpers.h"
#include "protocol/hubinfo.h"
#include "protocol/identity.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSslSocket>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace HubChannelsTest;
using Parley::Protocol::Identity::KeyPair;
using Parley::Testing::HandmadeWebSocket;
namespace Identity = Parley::Protocol::Identity;
namespace TestKeys = Parley::Testing::TestKeys;

namespace {

// What a v1 client signed: the Host header.
QByteArray v1Message(const QString &host, qint64 ts, const QString &userId)
{
    return "parley-connect-v1\n" + host.toUtf8() + '\n' + QByteArray::number(ts) + '\n'
        + userId.toUtf8();
}

// A connect URL signed by `signer` at `ts` over `message` (by default the v2 connect for
// `binding`), claiming `userId` and `key`.
QUrl connectUrl(const QUrl &mount, const KeyPair &signer, qint64 ts, const QString &binding,
                const QString &userId, const QByteArray &publicKey, const QByteArray &message = {})
{
    QUrl url = mount;
    url.setPath(mount.path() + QStringLiteral("/websocket"));
    const QByteArray sig
        = signer.sign(message.isEmpty() ? Identity::connectMessage(binding, ts, userId) : message);
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("vsn"), QStringLiteral("2.0.0"));
    query.addQueryItem(QStringLiteral("nick"), QStringLiteral("someone"));
    query.addQueryItem(QStringLiteral("user_id"), userId);
    query.addQueryItem(QStringLiteral("key"), Identity::toBase64Url(publicKey));
    query.addQueryItem(QStringLiteral("ts"), QString::number(ts));
    query.addQueryItem(QStringLiteral("sig"), Identity::toBase64Url(sig));
    url.setQuery(query);
    return url;
}

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

class tst_HubIdentity : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void signedConnectIsWhoTheKeySays();
    void refusals_data();
    void refusals();
    void clockSkewTellsTheHubsTime();
    void replayedUrlIsRefused();
    void userIdWithoutItsKeyGetsNothing();
    void connectCapturedByAnotherHubIsWorthlessHere();
    void getHubNamesWhatConnectsAreSignedFor();

private:
    std::unique_ptr<TestHub> m_hub;
};

void tst_HubIdentity::init()
{
    m_hub = std::make_unique<TestHub>();
    QVERIFY(m_hub->start());
}

void tst_HubIdentity::cleanup()
{
    m_hub.reset();
}

void tst_HubIdentity::signedConnectIsWhoTheKeySays()
{
    RawPhoenixClient client;
    QVERIFY(client.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    const auto reply = client.joinAndWait(lobby);
    QVERIFY(reply);
    QCOMPARE(reply->replyResponse().value("you").toObject().value("user_id").toString(), userA);
    QCOMPARE(userA, TestKeys::forLabel(QStringLiteral("ana")).userId());
    QCOMPARE(userA.size(), 22);
}

void tst_HubIdentity::refusals_data()
{
    // The URLs need the hub's port, known once init() ran: rows name a kind, refusals() builds
    // the URL.
    QTest::addColumn<QString>("reason");
    QTest::addColumn<int>("kind");
    QTest::addRow("unsigned") << "bad_params" << 0;
    QTest::addRow("user_id of another key") << "bad_params" << 1;
    QTest::addRow("malformed key") << "bad_params" << 2;
    QTest::addRow("signed by another key") << "unauthorized" << 3;
    QTest::addRow("signed for another hub") << "unauthorized" << 4;
    QTest::addRow("signed for another ts") << "unauthorized" << 5;
    QTest::addRow("ts 301 s in the future") << "clock_skew" << 6;
    QTest::addRow("v1, over this hub's Host") << "unauthorized" << 7;
    QTest::addRow("key of small order") << "bad_params" << 8;
    QTest::addRow("signed for this hub's id over wss, or its fingerprint over ws")
        << "unauthorized" << 9;
}

void tst_HubIdentity::refusals()
{
    QFETCH(QString, reason);
    QFETCH(int, kind);
    const QUrl mount = m_hub->url();
    const QString host = TestKeys::hubBinding(quint16(mount.port()));
    const KeyPair &ana = TestKeys::forLabel(QStringLiteral("ana"));
    const KeyPair &mallory = TestKeys::forLabel(QStringLiteral("mallory"));
    const qint64 ts = now();
    QUrl url;
    switch (kind) {
    case 0: { // the old kind of connect: a user_id and nothing to prove it
        url = mount;
        url.setPath(mount.path() + QStringLiteral("/websocket"));
        url.setQuery(QStringLiteral("vsn=2.0.0&nick=ana&user_id=") + ana.userId());
        break;
    }
    case 1: // Mallory's key and signature, Ana's user_id
        url = connectUrl(mount, mallory, ts, host, ana.userId(), mallory.publicKey());
        break;
    case 2:
        url = connectUrl(mount, ana, ts, host, ana.userId(), ana.publicKey().left(31));
        break;
    case 3: // Ana's user_id and public key (both seen on the wire), Mallory's signature
        url = connectUrl(mount, mallory, ts, host, ana.userId(), ana.publicKey());
        break;
    case 4: // a connect Ana signed for another hub, replayed here
        url = connectUrl(mount, ana, ts,
                         host.startsWith(QLatin1String("fp:"))
                             ? Identity::fingerprintBinding(QString(64, u'e'))
                             : Identity::hubIdBinding(u"another-hub"),
                         ana.userId(), ana.publicKey());
        break;
    case 5: {
        url = connectUrl(mount, ana, ts, host, ana.userId(), ana.publicKey());
        QUrlQuery query(url);
        query.removeQueryItem(QStringLiteral("ts"));
        query.addQueryItem(QStringLiteral("ts"), QString::number(ts + 1));
        url.setQuery(query);
        break;
    }
    case 6:
        url = connectUrl(mount, ana, ts + 301'000, host, ana.userId(), ana.publicKey());
        break;
    case 7: // what v1 signed: exactly the Host this request carries
        url = connectUrl(
            mount, ana, ts, {}, ana.userId(), ana.publicKey(),
            v1Message(QStringLiteral("127.0.0.1:%1").arg(mount.port()), ts, ana.userId()));
        break;
    case 8: { // the identity point: R = identity, S = 0 "verifies" for any message
        const QByteArray identityPoint = QByteArray::fromHex("01") + QByteArray(31, '\0');
        url = mount;
        url.setPath(mount.path() + QStringLiteral("/websocket"));
        url.setQuery(
            QStringLiteral("vsn=2.0.0&nick=anyone&user_id=%1&key=%2&ts=%3&sig=%4")
                .arg(Identity::userIdOf(identityPoint), Identity::toBase64Url(identityPoint))
                .arg(ts)
                .arg(Identity::toBase64Url(identityPoint + QByteArray(32, '\0'))));
        break;
    }
    case 9: { // the other kind of binding: never accepted in place of the hub's own
        const bool overTls = host.startsWith(QLatin1String("fp:"));
        const QString hubId = m_hub->runner().hubId();
        url = connectUrl(mount, ana, ts,
                         overTls ? Identity::hubIdBinding(hubId)
                                 : Identity::fingerprintBinding(QString(64, u'c')),
                         ana.userId(), ana.publicKey());
        break;
    }
    }
    RawPhoenixClient client;
    client.open(url);
    QVERIFY(client.waitForOpen()); // refusals come right after the handshake, as a close frame
    QVERIFY(client.waitForClose());
    QCOMPARE(client.closeCode(), 1008);
    QVERIFY2(client.closeReason() == reason || client.closeReason().startsWith(reason + QLatin1Char(':')),
             qPrintable(client.closeReason()));
    QCOMPARE(client.frames().size(), 0);
    QTRY_COMPARE(m_hub->connectionCount(), 0); // and the hub lets it go
}

void tst_HubIdentity::clockSkewTellsTheHubsTime()
{
    const KeyPair &ana = TestKeys::forLabel(QStringLiteral("ana"));
    const QUrl mount = m_hub->url();
    for (const qint64 skew : { qint64(-301'000), qint64(301'000), qint64(-86'400'000) }) {
        RawPhoenixClient client;
        const qint64 before = now();
        client.open(connectUrl(mount, ana, before + skew,
                               TestKeys::hubBinding(quint16(mount.port())), ana.userId(),
                               ana.publicKey()));
        QVERIFY(client.waitForClose());
        QCOMPARE(client.closeCode(), 1008);
        const QRegularExpressionMatch match
                = QRegularExpression(QStringLiteral("^clock_skew:(\\d+)$")).match(client.closeReason());
        QVERIFY2(match.hasMatch(), qPrintable(client.closeReason()));
        const qint64 hubTs = match.captured(1).toLongLong();
        QVERIFY(hubTs >= before - 1000 && hubTs <= now() + 1000);
    }
    // 299 s off is within the window.
    RawPhoenixClient near;
    near.open(connectUrl(mount, ana, now() - 299'000, TestKeys::hubBinding(quint16(mount.port())),
                         ana.userId(), ana.publicKey()));
    QVERIFY(near.waitForOpen());
    QVERIFY2(near.roundTrip(), qPrintable(near.closeReason()));
}

void tst_HubIdentity::replayedUrlIsRefused()
{
    // Someone who saw Ana's connect URL (a log, a proxy) uses it again: the first use stands,
    // the replay is refused, also after the first connection is gone.
    const QUrl url = RawPhoenixClient::socketUrl(m_hub->url(), RawPhoenixClient::params(userA, QStringLiteral("ana")));
    {
        RawPhoenixClient first;
        first.open(url);
        QVERIFY(first.waitForOpen());
        QVERIFY(first.roundTrip());
    }
    QTRY_COMPARE(m_hub->connectionCount(), 0);
    RawPhoenixClient replay;
    replay.open(url);
    QVERIFY(replay.waitForClose());
    QCOMPARE(replay.closeCode(), 1008);
    QCOMPARE(replay.closeReason(), QStringLiteral("replayed"));
    // Ana herself, signing afresh, is welcome.
    RawPhoenixClient again;
    QVERIFY(again.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
}

void tst_HubIdentity::userIdWithoutItsKeyGetsNothing()
{
    RawPhoenixClient ana;
    RawPhoenixClient bob;
    QVERIFY(ana.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
    QVERIFY(bob.openAccepted(m_hub->url(), userB, QStringLiteral("bob")));
    QVERIFY(ana.joinAndWait(general));
    QVERIFY(ana.joinAndWait(dmAB));
    const auto posted = ana.pushAndWait(general, "new_msg", QJsonObject { { "body", "mine" } });
    const auto secret = ana.pushAndWait(dmAB, "new_msg", QJsonObject { { "body", "for bob only" } });
    QVERIFY(posted && secret);
    const QJsonValue postedId = posted->replyResponse().value("message").toObject().value("id");

    // Mallory knows Ana's user_id (it is in every presence list and message) and her public key.
    const KeyPair &anaKey = TestKeys::forLabel(QStringLiteral("ana"));
    const KeyPair &malloryKey = TestKeys::forLabel(QStringLiteral("mallory"));
    const QUrl mount = m_hub->url();
    const QString host = TestKeys::hubBinding(quint16(mount.port()));
    for (const QUrl &url : { connectUrl(mount, malloryKey, now(), host, anaKey.userId(), malloryKey.publicKey()),
                             connectUrl(mount, malloryKey, now(), host, anaKey.userId(), anaKey.publicKey()) }) {
        RawPhoenixClient impostor;
        impostor.open(url);
        QVERIFY(impostor.waitForClose());
        QCOMPARE(impostor.closeCode(), 1008);
        QVERIFY(impostor.closeReason() == QLatin1String("bad_params")
                || impostor.closeReason() == QLatin1String("unauthorized"));
    }

    // As herself, Mallory is someone else: not a member of Ana and Bob's dm, not the author
    // of Ana's message.
    RawPhoenixClient mallory;
    QVERIFY(mallory.openAccepted(m_hub->url(), QStringLiteral("mallory"), QStringLiteral("ana")));
    const auto dm = mallory.joinAndWait(dmAB);
    QVERIFY(dm);
    QCOMPARE(dm->replyStatus(), QStringLiteral("error"));
    QCOMPARE(reasonOf(*dm), QStringLiteral("unauthorized"));
    QVERIFY(!mallory.rawFrames().join().contains("for bob only"));
    QVERIFY(mallory.joinAndWait(general));
    const auto edit = mallory.pushAndWait(general, "edit_msg", QJsonObject { { "id", postedId }, { "body", "hijacked" } });
    const auto remove = mallory.pushAndWait(general, "delete_msg", QJsonObject { { "id", postedId } });
    QVERIFY(edit && remove);
    QCOMPARE(reasonOf(*edit), QStringLiteral("forbidden"));
    QCOMPARE(reasonOf(*remove), QStringLiteral("forbidden"));

    // In presence she is her own key, with the same nick: Ana still has one meta.
    const auto presence = bob.joinAndWait(general);
    QVERIFY(presence);
    const auto state = bob.waitForFrame(RawPhoenixClient::isEvent(general, QStringLiteral("presence_state")));
    QVERIFY(state);
    const QJsonObject list = state->payloadObject();
    QCOMPARE(list.value(userA).toObject().value("metas").toArray().size(), 1);
    QCOMPARE(list.value(malloryKey.userId()).toObject().value("metas").toArray().size(), 1);

    // Ana's message is untouched.
    const auto history = ana.pushAndWait(general, "history", QJsonObject { { "before_id", postedId.toInteger() + 1 } });
    QVERIFY(history);
    const QJsonArray messages = history->replyResponse().value("messages").toArray();
    QVERIFY(!messages.isEmpty());
    QCOMPARE(messages.last().toObject().value("body").toString(), QStringLiteral("mine"));
    QCOMPARE(messages.last().toObject().value("deleted"), QJsonValue(false));
}

void tst_HubIdentity::connectCapturedByAnotherHubIsWorthlessHere()
{
    // Ana also joins Rob's hub. Rob logs her connect and replays it here, forging whatever Host
    // header might help: his hub's (what v1 signed), this hub's, or a name of his own.
    TestHub robsHub;
    QVERIFY(robsHub.start());
    const QUrl captured = RawPhoenixClient::socketUrl(
        robsHub.url(), RawPhoenixClient::params(userA, QStringLiteral("ana")));
    {
        RawPhoenixClient atRobs;
        atRobs.open(captured);
        QVERIFY(atRobs.waitForOpen());
        QVERIFY2(atRobs.roundTrip(), qPrintable(atRobs.closeReason())); // Rob's hub took it
    }
    QUrl replay = m_hub->url();
    replay.setPath(captured.path());
    replay.setQuery(captured.query());
    const QList<QByteArray> forgedHosts {
        QByteArray("127.0.0.1:") + QByteArray::number(robsHub.url().port()),
        QByteArray("127.0.0.1:") + QByteArray::number(m_hub->url().port()),
        QByteArrayLiteral("evil.example:1")
    };
    for (const QByteArray &host : forgedHosts) {
        HandmadeWebSocket replayer;
        replayer.setHostHeader(host);
        replayer.open(replay);
        QVERIFY(replayer.waitForUpgrade());
        QVERIFY(replayer.waitForClose());
        QCOMPARE(replayer.closeCode(), 1008);
        QCOMPARE(replayer.closeReason(), QStringLiteral("unauthorized"));
        QVERIFY(replayer.textMessages().isEmpty());
    }
    // A v1 connect Ana was tricked into signing for Rob's name, sent with that very Host.
    const KeyPair &ana = TestKeys::forLabel(QStringLiteral("ana"));
    const qint64 ts = now();
    HandmadeWebSocket v1;
    v1.setHostHeader("evil.example:1");
    v1.open(connectUrl(m_hub->url(), ana, ts, {}, ana.userId(), ana.publicKey(),
                       v1Message(QStringLiteral("evil.example:1"), ts, ana.userId())));
    QVERIFY(v1.waitForClose());
    QCOMPARE(v1.closeReason(), QStringLiteral("unauthorized"));
    QTRY_COMPARE(m_hub->connectionCount(), 0);
    // Ana herself, signing for this hub, gets in.
    RawPhoenixClient real;
    QVERIFY(real.openAccepted(m_hub->url(), userA, QStringLiteral("ana")));
}

void tst_HubIdentity::getHubNamesWhatConnectsAreSignedFor()
{
    // Plain HTTP (over the hub's TLS when it has one) on the WebSocket port, both transports.
    const auto ask = [this](const QByteArray &method) {
        QSslSocket socket;
        const quint16 port = quint16(m_hub->url().port());
        if (m_hub->url().scheme() == QLatin1String("wss")) {
            Parley::Testing::trustTestHubs(&socket);
            socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        } else {
            socket.connectToHost(QHostAddress::LocalHost, port);
        }
        socket.write(method + " /hub HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QByteArray response;
        QTest::qWaitFor(
            [&] {
                response += socket.readAll();
                return socket.state() == QAbstractSocket::UnconnectedState;
            },
            5000);
        return response + socket.readAll();
    };
    const QByteArray response = ask("GET");
    QVERIFY2(response.startsWith("HTTP/1.1 200 OK\r\n"), response.constData());
    QVERIFY(response.contains("\r\nContent-Type: application/json\r\n"));
    const std::optional<Parley::Protocol::HubInfo> info
        = Parley::Protocol::HubInfo::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4));
    QVERIFY(info);
    QCOMPARE(info->hubId, m_hub->runner().hubId());
    QCOMPARE(info->name, QStringLiteral("Test hub"));
    QCOMPARE(info->fingerprint, m_hub->runner().fingerprint());
    QCOMPARE(info->isTls() ? Identity::fingerprintBinding(info->fingerprint)
                           : Identity::hubIdBinding(info->hubId),
             TestKeys::hubBinding(quint16(m_hub->url().port())));
    QVERIFY2(ask("POST").startsWith("HTTP/1.1 405 "), ask("POST").constData());
}

QTEST_MAIN(tst_HubIdentity)
#include "tst_hubidentity.moc"
