// The hub's check of signed connects (ConnectVerifier): every refusal of docs/protocol.md's
// Identity section, decided by the params and the hub's clock alone, and the replay cache,
// which must refuse every replay and stay bounded under a flood of distinct signed connects;
// and what a connection may send while its connect is being verified (EarlyFrames).

#include "hub/connectverifier.h"
#include "hub/earlyframes.h"
#include "protocol/identity.h"

#include <QTest>

using namespace Parley::Hub;
using namespace Parley::Protocol::Identity;
using Outcome = ConnectVerifier::Outcome;
Q_DECLARE_METATYPE(Parley::Hub::ConnectVerifier::Params)

namespace {

// The hub under test serves wss:// with this certificate: connects must be signed for it.
const QString hubBinding = fingerprintBinding(QString(64, u'a'));
constexpr qint64 hubNow = 1'764'107'000'000;

ConnectVerifier::Params signedFor(const KeyPair &key, qint64 ts,
                                  const QString &binding = hubBinding)
{
    const QMap<QString, QString> p = key.connectParams(binding, ts);
    return { hubBinding, p["key"], p["ts"], p["sig"], p["user_id"] };
}

// What a v1 client signed: the Host header. No v2 hub takes it, whatever Host it was for.
ConnectVerifier::Params signedV1(const KeyPair &key, qint64 ts, const QString &host)
{
    const QString userId = key.userId();
    const QByteArray message = "parley-connect-v1\n" + host.toUtf8() + '\n' + QByteArray::number(ts)
        + '\n' + userId.toUtf8();
    return { hubBinding, toBase64Url(key.publicKey()), QString::number(ts),
             toBase64Url(key.sign(message)), userId };
}

// A connect made with a public key of small order: the identity point (y = 1) verifies the
// "signature" R = identity, S = 0 for every message, so anyone could sign as its user_id.
ConnectVerifier::Params smallOrderConnect(qint64 ts)
{
    const QByteArray identityPoint = QByteArray::fromHex("01") + QByteArray(31, '\0');
    const QByteArray signature = identityPoint + QByteArray(32, '\0');
    return { hubBinding, toBase64Url(identityPoint), QString::number(ts), toBase64Url(signature),
             userIdOf(identityPoint) };
}

} // namespace

class tst_ConnectVerifier : public QObject
{
    Q_OBJECT
private slots:
    void outcomes_data();
    void outcomes();
    void clockSkewNamesTheHubsTime();
    void acceptedConnectIsRefusedAsReplayed();
    void replayIsRefusedUntilTheWindowEnds();
    void floodStaysBoundedAndNothingEvictedReplays();
    void earlyFramesKeepAPipelinedBurstInOrder();
    void earlyFramesAreBoundedByBytes();
};

void tst_ConnectVerifier::outcomes_data()
{
    const KeyPair ana = KeyPair::generate();
    const KeyPair mallory = KeyPair::generate();
    QTest::addColumn<ConnectVerifier::Params>("params");
    QTest::addColumn<int>("outcome");
    QTest::addColumn<QString>("reason");

    QTest::addRow("signed now") << signedFor(ana, hubNow) << int(Outcome::Accepted) << QString();
    QTest::addRow("299 s behind") << signedFor(ana, hubNow - 299'000) << int(Outcome::Accepted) << QString();
    QTest::addRow("299 s ahead") << signedFor(ana, hubNow + 299'000) << int(Outcome::Accepted) << QString();
    ConnectVerifier::Params unsignedConnect { hubBinding, {}, {}, {}, ana.userId() };
    QTest::addRow("unsigned") << unsignedConnect << int(Outcome::BadParams) << "bad_params";
    QTest::addRow("small-order key")
        << smallOrderConnect(hubNow) << int(Outcome::BadParams) << "bad_params";
    ConnectVerifier::Params othersId = signedFor(mallory, hubNow);
    othersId.userId = ana.userId(); // Mallory claims Ana's user_id with her own key
    QTest::addRow("user_id of another key") << othersId << int(Outcome::BadParams) << "bad_params";
    ConnectVerifier::Params othersKey = signedFor(mallory, hubNow);
    othersKey.key = toBase64Url(ana.publicKey()); // Ana's key and id, Mallory's signature
    othersKey.userId = ana.userId();
    QTest::addRow("signed by another key") << othersKey << int(Outcome::Unauthorized) << "unauthorized";
    QTest::addRow("signed for another hub's certificate")
        << signedFor(ana, hubNow, fingerprintBinding(QString(64, u'b')))
        << int(Outcome::Unauthorized) << "unauthorized";
    QTest::addRow("signed for a hub id")
        << signedFor(ana, hubNow, hubIdBinding(u"3f1c2a54-0d1e-4c59-9b8e-5a4f3e2d1c0b"))
        << int(Outcome::Unauthorized) << "unauthorized";
    QTest::addRow("v1, signed over the Host header")
        << signedV1(ana, hubNow, QStringLiteral("127.0.0.1:4000")) << int(Outcome::Unauthorized)
        << "unauthorized";
    ConnectVerifier::Params otherTs = signedFor(ana, hubNow);
    otherTs.ts = QString::number(hubNow + 1);
    QTest::addRow("ts not the one signed") << otherTs << int(Outcome::Unauthorized) << "unauthorized";
    ConnectVerifier::Params flipped = signedFor(ana, hubNow);
    flipped.sig[10] = flipped.sig[10] == QLatin1Char('A') ? QLatin1Char('B') : QLatin1Char('A');
    QTest::addRow("signature altered") << flipped << int(Outcome::Unauthorized) << "unauthorized";
}

void tst_ConnectVerifier::outcomes()
{
    QFETCH(ConnectVerifier::Params, params);
    QFETCH(int, outcome);
    QFETCH(QString, reason);
    ConnectVerifier verifier;
    const ConnectVerifier::Result result = verifier.check(params, hubNow);
    QCOMPARE(int(result.outcome), outcome);
    QCOMPARE(result.reason, reason);
    if (result.outcome == Outcome::Accepted)
        QCOMPARE(result.userId, params.userId);
}

void tst_ConnectVerifier::clockSkewNamesTheHubsTime()
{
    const KeyPair ana = KeyPair::generate();
    ConnectVerifier verifier;
    for (const qint64 ts : { hubNow - 301'000, hubNow + 301'000, qint64(0) }) {
        const ConnectVerifier::Result result = verifier.check(signedFor(ana, ts), hubNow);
        QCOMPARE(int(result.outcome), int(Outcome::ClockSkew));
        QCOMPARE(result.reason, QStringLiteral("clock_skew:%1").arg(hubNow));
    }
}

void tst_ConnectVerifier::acceptedConnectIsRefusedAsReplayed()
{
    const KeyPair ana = KeyPair::generate();
    ConnectVerifier verifier;
    const ConnectVerifier::Params params = signedFor(ana, hubNow);
    const ConnectVerifier::Result first = verifier.check(params, hubNow);
    QCOMPARE(int(first.outcome), int(Outcome::Accepted));
    // Checked but not accepted (refused later, e.g. a wrong hub password): not remembered.
    QCOMPARE(int(verifier.check(params, hubNow + 10).outcome), int(Outcome::Accepted));
    verifier.accept(first, hubNow);
    const ConnectVerifier::Result again = verifier.check(params, hubNow + 20);
    QCOMPARE(int(again.outcome), int(Outcome::Replayed));
    QCOMPARE(again.reason, QStringLiteral("replayed"));
    // The same user signing afresh is welcome.
    QCOMPARE(int(verifier.check(signedFor(ana, hubNow + 1), hubNow + 30).outcome), int(Outcome::Accepted));
}

void tst_ConnectVerifier::replayIsRefusedUntilTheWindowEnds()
{
    const KeyPair ana = KeyPair::generate();
    ConnectVerifier verifier;
    // Signed 290 s ahead of the hub: within the clock window for the next 590 s.
    const ConnectVerifier::Params params = signedFor(ana, hubNow + 290'000);
    verifier.accept(verifier.check(params, hubNow), hubNow);
    QCOMPARE(int(verifier.check(params, hubNow + 589'000).outcome), int(Outcome::Replayed));
    // After the replay window, the clock window refuses it by itself.
    QCOMPARE(int(verifier.check(params, hubNow + 600'001).outcome), int(Outcome::ClockSkew));
    QCOMPARE(verifier.size(), 0);
}

void tst_ConnectVerifier::floodStaysBoundedAndNothingEvictedReplays()
{
    constexpr int capacity = 50;
    ConnectVerifier verifier(capacity);
    const KeyPair flooder = KeyPair::generate();
    QList<ConnectVerifier::Params> accepted;
    // 200 distinct signed connects (one key, distinct ts), all within the window.
    for (int i = 0; i < 200; ++i) {
        const ConnectVerifier::Params params = signedFor(flooder, hubNow - 200 + i);
        const ConnectVerifier::Result result = verifier.check(params, hubNow);
        QCOMPARE(int(result.outcome), int(Outcome::Accepted));
        verifier.accept(result, hubNow);
        accepted << params;
        QVERIFY(verifier.size() <= capacity);
    }
    QCOMPARE(verifier.size(), capacity);
    // Not one of them can be replayed: the kept ones are remembered, the evicted ones are not
    // newer than the newest evicted ts.
    for (const ConnectVerifier::Params &params : std::as_const(accepted))
        QCOMPARE(int(verifier.check(params, hubNow + 1).outcome), int(Outcome::Replayed));
    // A connect signed now still gets in.
    QCOMPARE(int(verifier.check(signedFor(KeyPair::generate(), hubNow + 5), hubNow + 5).outcome),
             int(Outcome::Accepted));
}

void tst_ConnectVerifier::earlyFramesKeepAPipelinedBurstInOrder()
{
    // A bot that creates 500 rooms right after the open: all kept, in order.
    EarlyFrames early;
    for (int i = 0; i < 500; ++i)
        QVERIFY2(early.keep(QByteArray::number(i).prepend("[null,\"").append("\",\"lobby\",\"create_room\",{}]")),
                 qPrintable(QString::number(i)));
    const QList<QByteArray> frames = early.take();
    QCOMPARE(frames.size(), 500);
    QVERIFY(frames.first().contains("\"0\""));
    QVERIFY(frames.last().contains("\"499\""));
    QVERIFY(early.take().isEmpty());
}

void tst_ConnectVerifier::earlyFramesAreBoundedByBytes()
{
    // Four 64 KiB messages pass, the fifth passes the bound.
    EarlyFrames large;
    const QByteArray message(64 * 1024 - EarlyFrames::perFrameCost - 1, 'x');
    for (int i = 0; i < 4; ++i)
        QVERIFY(large.keep(message));
    QVERIFY(!large.keep(message));
    QCOMPARE(large.take().size(), 4);
    // Tiny frames are counted with what keeping them costs: a bound, not an open door.
    EarlyFrames tiny;
    int kept = 0;
    while (tiny.keep(QByteArrayLiteral("[]")) && kept < 1'000'000)
        ++kept;
    QCOMPARE(kept, int(EarlyFrames::maxBytes / (2 + EarlyFrames::perFrameCost)));
}

QTEST_GUILESS_MAIN(tst_ConnectVerifier)
#include "tst_connectverifier.moc"
