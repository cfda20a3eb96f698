// The client phoenix layer (PhoenixSocket, PhoenixChannel, PresenceSync) against a real hub on
// 127.0.0.1 with a free port: join, push/reply, broadcast, unmatched topic, refusal without a
// reconnect storm, reconnect and rejoin after a hub restart, presence convergence.

#include "client/phoenixchannel.h"
#include "pushreplies.h"
#include "testhub.h"
#include "testkeys.h"
#include "client/phoenixsocket.h"
#include "client/presencesync.h"
#include "hub/hubrunner.h"
#include "hub/hubsettings.h"

#include <QJsonArray>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace Parley::Client;
using Parley::Hub::HubRunner;
using Parley::Hub::HubSettings;
using Parley::Protocol::Message;

namespace {
const QString Ana = Parley::Testing::TestKeys::userId(QStringLiteral("ana"));
const QString Bob = Parley::Testing::TestKeys::userId(QStringLiteral("bob"));
} // namespace

namespace {

using Replies = Parley::Testing::PushReplies;

qsizetype countState(const QSignalSpy &spy, PhoenixSocket::State state)
{
    return std::count_if(spy.cbegin(), spy.cend(), [state](const QList<QVariant> &args) {
        return args.at(0).value<PhoenixSocket::State>() == state;
    });
}

QSet<QString> keySet(const PresenceSync &presence)
{
    const QStringList keys = presence.state().keys();
    return QSet<QString>(keys.cbegin(), keys.cend());
}

} // namespace

class tst_PhoenixClient : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void connectsAndJoinsLobby();
    void newMsgPushGetsOkReplyWithMessage();
    void broadcastReachesOtherSocketOnce();
    void unmatchedTopicJoinIsRefused();
    void badParamsAreRefusedWithoutReconnectStorm();
    void badVsnIsRefused();
    void reconnectsAfterHubRestartAndRejoinsWithNewJoinRef();
    void presenceConvergesForTwoSockets();
    void wssConnectsOnlyToThePinnedCertificate_data();
    void wssConnectsOnlyToThePinnedCertificate();

private:
    bool startHub(quint16 port = 0);
    std::unique_ptr<PhoenixSocket> makeSocket(const QString &userId, const QString &nick);

    std::unique_ptr<HubRunner> m_hub;
};

bool tst_PhoenixClient::startHub(quint16 port)
{
    HubSettings settings = Parley::Testing::TestHub::settings();
    settings.port = port;
    m_hub = std::make_unique<HubRunner>(settings);
    QString error;
    if (!m_hub->start(&error)) {
        qWarning() << "hub did not start:" << error;
        return false;
    }
    return true;
}

std::unique_ptr<PhoenixSocket> tst_PhoenixClient::makeSocket(const QString &userId,
                                                             const QString &nick)
{
    auto socket = std::make_unique<PhoenixSocket>(m_hub->url(), [nick] {
        return PhoenixSocket::Params { { QStringLiteral("nick"), nick },
                                       { QStringLiteral("device"), QStringLiteral("test") } };
    });
    socket->setIdentity(Parley::Testing::TestKeys::of(userId));
    return socket;
}

void tst_PhoenixClient::init()
{
    QVERIFY(startHub());
}

void tst_PhoenixClient::cleanup()
{
    m_hub.reset();
}

void tst_PhoenixClient::wssConnectsOnlyToThePinnedCertificate_data()
{
    QTest::addColumn<bool>("pinTheHub"); // else: nothing pinned, or (with wrongPin) another
    QTest::addColumn<bool>("wrongPin");
    QTest::addRow("pinned") << true << false;
    QTest::addRow("nothing pinned") << false << false;
    QTest::addRow("another certificate pinned") << false << true;
}

void tst_PhoenixClient::wssConnectsOnlyToThePinnedCertificate()
{
    QFETCH(bool, pinTheHub);
    QFETCH(bool, wrongPin);
    QTemporaryDir dir;
    HubSettings settings = Parley::Testing::TestHub::settings();
    settings.tls = true; // the hub's own certificate, made in dir
    settings.dataDir = dir.path();
    HubRunner hub(settings);
    QVERIFY(hub.start());
    QCOMPARE(hub.url().scheme(), QStringLiteral("wss"));
    QCOMPARE(hub.fingerprint().size(), 64);
    const QString other = QString(64, u'a');

    PhoenixSocket socket(hub.url(), [] {
        return PhoenixSocket::Params { { QStringLiteral("nick"), QStringLiteral("ana") } };
    });
    socket.setIdentity(Parley::Testing::TestKeys::of(Ana));
    const QString pin = pinTheHub ? hub.fingerprint() : wrongPin ? other : QString();
    socket.setPinnedFingerprint(pin);
    QSignalSpy opened(&socket, &PhoenixSocket::opened);
    QSignalSpy rejected(&socket, &PhoenixSocket::certificateRejected);
    QSignalSpy scheduled(&socket, &PhoenixSocket::reconnectScheduled);
    socket.connect();
    if (pinTheHub) {
        QVERIFY(opened.wait(10000));
        QVERIFY(rejected.isEmpty());
        PhoenixChannel *lobby = socket.channel(QStringLiteral("hub:lobby"));
        QSignalSpy joined(lobby, &PhoenixChannel::joined);
        lobby->join();
        QVERIFY(joined.wait(5000));
        return;
    }
    QVERIFY(rejected.wait(10000));
    QCOMPARE(rejected.first().at(0).toString(), hub.fingerprint()); // what the hub presented
    QCOMPARE(rejected.first().at(1).toString(), pin);
    QVERIFY(opened.isEmpty());
    // Nothing reached the hub's Phoenix layer, and nothing is retried behind the user's back.
    QCOMPARE(scheduled.size(), 0);
    QCOMPARE(socket.nextReconnectIn(), -1);
    QCOMPARE(socket.state(), PhoenixSocket::State::Closed);

    // Trusting what was presented connects.
    socket.setPinnedFingerprint(rejected.first().at(0).toString());
    socket.connect();
    QVERIFY(opened.wait(10000));
}

void tst_PhoenixClient::connectsAndJoinsLobby()
{
    auto socket = makeSocket(Ana, QStringLiteral("ana maria"));
    PhoenixChannel *lobby = socket->channel(QStringLiteral("hub:lobby"));
    QSignalSpy opened(socket.get(), &PhoenixSocket::opened);
    QSignalSpy joined(lobby, &PhoenixChannel::joined);
    socket->connect();
    lobby->join();
    QVERIFY(opened.wait());
    QVERIFY(joined.size() == 1 || joined.wait());
    QCOMPARE(lobby->state(), PhoenixChannel::State::Joined);
    const QJsonObject response = joined.at(0).at(0).toJsonObject();
    QCOMPARE(response.value("you").toObject().value("user_id").toString(),
             Ana);
    QCOMPARE(response.value("you").toObject().value("nick").toString(),
             QStringLiteral("ana maria"));
    const QJsonArray rooms = response.value("rooms").toArray();
    QVERIFY(std::any_of(rooms.cbegin(), rooms.cend(), [](const QJsonValue &room) {
        return room.toObject().value("name").toString() == QLatin1String("general");
    }));
}

void tst_PhoenixClient::newMsgPushGetsOkReplyWithMessage()
{
    auto socket = makeSocket(Ana, QStringLiteral("ana"));
    int paramsCalls = 0;
    PhoenixChannel *room = socket->channel(QStringLiteral("room:general"), [&paramsCalls] {
        ++paramsCalls;
        return QJsonObject();
    });
    QSignalSpy joined(room, &PhoenixChannel::joined);
    socket->connect();
    room->join();
    QVERIFY(joined.wait());
    QCOMPARE(paramsCalls, 1);
    QVERIFY(joined.at(0).at(0).toJsonObject().value("messages").isArray());

    Replies replies;
    room->push(QStringLiteral("new_msg"),
               QJsonObject { { "body", "hi" }, { "client_id", "abcdefgh1" } }, replies.callback());
    QTRY_COMPARE(replies.statuses, QStringList { "ok" });
    const QJsonObject message = replies.responses.at(0).value("message").toObject();
    QCOMPARE(message.value("body").toString(), QStringLiteral("hi"));
    QCOMPARE(message.value("client_id").toString(), QStringLiteral("abcdefgh1"));
    QCOMPARE(message.value("user_id").toString(), Ana);
    QVERIFY(message.value("id").toInteger() > 0);

    Replies invalid;
    room->push(QStringLiteral("new_msg"), QJsonObject { { "body", "   " } }, invalid.callback());
    QTRY_COMPARE(invalid.statuses, QStringList { "error" });
    QCOMPARE(invalid.responses.at(0).value("reason").toString(), QStringLiteral("invalid_body"));
}

void tst_PhoenixClient::broadcastReachesOtherSocketOnce()
{
    auto ana = makeSocket(Ana, QStringLiteral("ana"));
    auto bob = makeSocket(Bob, QStringLiteral("bob"));
    PhoenixChannel *anaRoom = ana->channel(QStringLiteral("room:general"));
    PhoenixChannel *bobRoom = bob->channel(QStringLiteral("room:general"));
    QSignalSpy anaJoined(anaRoom, &PhoenixChannel::joined);
    QSignalSpy bobJoined(bobRoom, &PhoenixChannel::joined);
    QStringList bobBodies, anaBodies;
    connect(bobRoom, &PhoenixChannel::messageReceived, this,
            [&bobBodies](const QString &event, const QJsonObject &payload) {
                if (event == QLatin1String("new_msg"))
                    bobBodies << payload.value("body").toString();
            });
    connect(anaRoom, &PhoenixChannel::messageReceived, this,
            [&anaBodies](const QString &event, const QJsonObject &payload) {
                if (event == QLatin1String("new_msg"))
                    anaBodies << payload.value("body").toString();
            });
    ana->connect();
    bob->connect();
    anaRoom->join();
    bobRoom->join();
    QTRY_COMPARE(anaJoined.size(), 1);
    QTRY_COMPARE(bobJoined.size(), 1);

    Replies replies;
    anaRoom->push(QStringLiteral("new_msg"),
                  QJsonObject { { "body", "hi" }, { "client_id", "abcdefgh1" } },
                  replies.callback());
    // Resending with the same client_id is idempotent: same message, no second broadcast.
    anaRoom->push(QStringLiteral("new_msg"),
                  QJsonObject { { "body", "hi" }, { "client_id", "abcdefgh1" } },
                  replies.callback());
    anaRoom->push(QStringLiteral("new_msg"),
                  QJsonObject { { "body", "marker" }, { "client_id", "abcdefgh2" } },
                  replies.callback());
    QTRY_VERIFY(bobBodies.contains(QStringLiteral("marker")));
    QTRY_VERIFY(anaBodies.contains(QStringLiteral("marker")));
    QCOMPARE(bobBodies, (QStringList { "hi", "marker" }));
    QCOMPARE(anaBodies, (QStringList { "hi", "marker" })); // the sender gets it too
    QTRY_COMPARE(replies.statuses, (QStringList { "ok", "ok", "ok" }));
    QCOMPARE(replies.responses.at(0).value("message").toObject().value("id"),
             replies.responses.at(1).value("message").toObject().value("id"));
}

void tst_PhoenixClient::unmatchedTopicJoinIsRefused()
{
    auto socket = makeSocket(Ana, QStringLiteral("ana"));
    PhoenixChannel *channel = socket->channel(QStringLiteral("nowhere:x"));
    QSignalSpy failed(channel, &PhoenixChannel::joinFailed);
    QSignalSpy rejoin(channel, &PhoenixChannel::rejoinScheduled);
    socket->connect();
    channel->join();
    QVERIFY(failed.wait());
    QCOMPARE(failed.at(0).at(0).toJsonObject().value("reason").toString(),
             QStringLiteral("unmatched topic"));
    QCOMPARE(channel->state(), PhoenixChannel::State::Errored);
    QCOMPARE(rejoin.value(0).value(0).toInt(), 1000); // phoenix.js retries a refused join
    channel->leave();
    QCOMPARE(channel->state(), PhoenixChannel::State::Closed);
}

void tst_PhoenixClient::badParamsAreRefusedWithoutReconnectStorm()
{
    auto refusedSocket = makeSocket(Ana, QStringLiteral("   ")); // a blank nick is refused
    QSignalSpy refused(refusedSocket.get(), &PhoenixSocket::refused);
    QSignalSpy closed(refusedSocket.get(), &PhoenixSocket::closed);
    QSignalSpy states(refusedSocket.get(), &PhoenixSocket::stateChanged);
    QSignalSpy scheduled(refusedSocket.get(), &PhoenixSocket::reconnectScheduled);
    refusedSocket->connect();
    QVERIFY(refused.wait());
    QCOMPARE(refused.at(0).at(0).toString(), QStringLiteral("bad_params"));
    QCOMPARE(closed.at(0).at(0).toInt(), 1008);
    QCOMPARE(refusedSocket->nextReconnectIn(), -1);

    // Bounded wait without a sleep: a good socket does several heartbeat round trips, longer
    // than the first reconnect steps together, while the refused one must stay quiet.
    auto witness = makeSocket(Bob, QStringLiteral("bob"));
    Timings fast;
    fast.heartbeatIntervalMs = 40;
    witness->setTimings(fast);
    int heartbeatReplies = 0;
    connect(witness.get(), &PhoenixSocket::messageReceived, this,
            [&heartbeatReplies](const Message &message) {
                heartbeatReplies += message.topic == QLatin1String("phoenix");
            });
    witness->connect();
    QTRY_VERIFY(heartbeatReplies >= 8);
    QCOMPARE(countState(states, PhoenixSocket::State::Connecting), 1);
    QCOMPARE(scheduled.size(), 0);
    QCOMPARE(refusedSocket->state(), PhoenixSocket::State::Closed);
}

void tst_PhoenixClient::badVsnIsRefused()
{
    auto socket = makeSocket(Ana, QStringLiteral("ana"));
    socket->setVsn(QStringLiteral("1.0.0"));
    QSignalSpy refused(socket.get(), &PhoenixSocket::refused);
    socket->connect();
    QVERIFY(refused.wait());
    QCOMPARE(refused.at(0).at(0).toString(), QStringLiteral("bad_vsn"));
    QCOMPARE(socket->nextReconnectIn(), -1);
}

void tst_PhoenixClient::reconnectsAfterHubRestartAndRejoinsWithNewJoinRef()
{
    auto socket = makeSocket(Ana, QStringLiteral("ana"));
    PhoenixChannel *room = socket->channel(QStringLiteral("room:general"));
    QSignalSpy joined(room, &PhoenixChannel::joined);
    QSignalSpy errored(room, &PhoenixChannel::errored);
    QSignalSpy closed(socket.get(), &PhoenixSocket::closed);
    QSignalSpy opened(socket.get(), &PhoenixSocket::opened);
    socket->connect();
    room->join();
    QVERIFY(joined.wait());
    const QString firstJoinRef = room->joinRef();
    const quint16 port = m_hub->port();

    m_hub->stop();
    QTRY_COMPARE(closed.size(), 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 1001);
    QCOMPARE(room->state(), PhoenixChannel::State::Errored);
    QCOMPARE(errored.at(0).at(0).toString(), QStringLiteral("connection_closed"));

    QVERIFY(startHub(port));
    QTRY_COMPARE_WITH_TIMEOUT(joined.size(), 2, 10000);
    // The new hub (in memory: a new hub id) refused the connect signed for the old one's id;
    // the socket asked it which hub it is and signed again: three opens, one refusal between.
    QCOMPARE(opened.size(), 3);
    QCOMPARE(closed.last().at(1).toString(), QStringLiteral("unauthorized"));
    QVERIFY(socket->isConnected());
    QVERIFY(room->joinRef() != firstJoinRef);
    QCOMPARE(room->state(), PhoenixChannel::State::Joined);
}

void tst_PhoenixClient::presenceConvergesForTwoSockets()
{
    auto ana = makeSocket(Ana, QStringLiteral("ana"));
    auto bob = makeSocket(Bob, QStringLiteral("bob"));
    PhoenixChannel *anaRoom = ana->channel(QStringLiteral("room:general"));
    PhoenixChannel *bobRoom = bob->channel(QStringLiteral("room:general"));
    PresenceSync anaPresence(anaRoom);
    PresenceSync bobPresence(bobRoom);
    QSignalSpy anaLeft(&anaPresence, &PresenceSync::left);
    ana->connect();
    bob->connect();
    anaRoom->join();
    bobRoom->join();

    const QSet<QString> both { Ana, Bob };
    QTRY_COMPARE(keySet(anaPresence), both);
    QTRY_COMPARE(keySet(bobPresence), both);
    QVERIFY(!anaPresence.inPendingSyncState());
    const QJsonObject bobMeta
        = anaPresence.state().value(Bob).value("metas").toArray().at(0).toObject();
    QCOMPARE(bobMeta.value("nick").toString(), QStringLiteral("bob"));
    QCOMPARE(bobMeta.value("device").toString(), QStringLiteral("test"));
    QVERIFY(!bobMeta.value("phx_ref").toString().isEmpty());

    // A second connection of bob: one key, two metas.
    auto bob2 = makeSocket(Bob, QStringLiteral("bob"));
    PhoenixChannel *bob2Room = bob2->channel(QStringLiteral("room:general"));
    bob2->connect();
    bob2Room->join();
    QTRY_COMPARE(anaPresence.state().value(Bob).value("metas").toArray().size(), 2);
    QCOMPARE(anaPresence.state().size(), 2);

    bob2->disconnect();
    QTRY_COMPARE(anaPresence.state().value(Bob).value("metas").toArray().size(), 1);
    bob->disconnect();
    QTRY_COMPARE(keySet(anaPresence), QSet<QString> { Ana });
    QCOMPARE(anaLeft.last().at(0).toString(), Bob);
}

QTEST_GUILESS_MAIN(tst_PhoenixClient)
#include "tst_phoenixclient.moc"
