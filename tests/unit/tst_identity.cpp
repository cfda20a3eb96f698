// The identity rules of docs/protocol.md ("Identity (signed connect)") against fixed vectors:
// RFC 8032's test vector 1 for the Ed25519 signature, the user_id of that key computed
// independently (Python hashlib), a connect signature for each binding computed independently
// (Node's crypto), the strict base64url reading, the refusal of keys whose signatures prove
// nothing (small order, non-canonical), and the parsing of the connect params.

#include "protocol/hubinfo.h"
#include "protocol/identity.h"

#include <QTest>

using namespace Parley::Protocol::Identity;

namespace {

// RFC 8032, section 7.1, TEST 1.
const QByteArray rfcSecret = QByteArray::fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
const QByteArray rfcPublic = QByteArray::fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
const QByteArray rfcSignature = QByteArray::fromHex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
// base64url(SHA-256(rfcPublic)[0..16]), from Python's hashlib and base64.
const QString rfcUserId = QStringLiteral("If4x36FUomFia_hUBG_SJw");
// docs/protocol.md's worked examples: a hub's certificate fingerprint and a hub id.
const QString exampleFingerprint
    = QStringLiteral("3f2a91c077de0b14c2d9e5a1b7c4f08e2d6a9b3c1e5f7a8d0b2c4e6f8a1b3c5d");
const QString exampleHubId = QStringLiteral("6c0f3d2e-8a41-4b7e-9f15-2d3c4b5a6e7f");
// Node's crypto.sign(null, "parley-connect-v2\nfp:" + exampleFingerprint + "\n1764107000123\n"
// + rfcUserId, key), and the same with "hub:" + exampleHubId.
const QString fpConnectSig = QStringLiteral(
    "bzo8vUBoR0w9nLmmCRbnVi_wp71lVHqWq1BYSiIa4fun3j0Ow5L0m_JKai0zg_nv2g_LfmNmfTOsgB4g_5FwBg");
const QString hubConnectSig = QStringLiteral(
    "vgN5RT7g60hRFy619gskNWYKmF-KObf2TMp2XLcRzJ2ShuxNvAZHL6pEZyJg8XE5J8XTc-Wssa8TBqUZWScYCQ");

// Every encoding of a point of small order with a canonical y (the sign bit either way), from
// the curve equation (computed independently in Python), and the encodings with y >= p.
QList<QByteArray> smallOrderKeys()
{
    QList<QByteArray> keys;
    const char *const canonical[] = {
        "0000000000000000000000000000000000000000000000000000000000000000", // order 4
        "0100000000000000000000000000000000000000000000000000000000000000", // the identity
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // order 2
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", // order 8
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a", // order 8
    };
    for (const char *hex : canonical) {
        QByteArray key = QByteArray::fromHex(hex);
        keys << key;
        key[31] = char(key[31] | 0x80);
        keys << key;
    }
    for (int low = 0xed; low <= 0xff; ++low) { // y = p ... p + 18
        QByteArray key(32, char(0xff));
        key[0] = char(low);
        key[31] = char(0x7f);
        keys << key;
    }
    return keys;
}

} // namespace

class tst_Identity : public QObject
{
    Q_OBJECT
private slots:
    void rfc8032TestVector1();
    void userIdOfAFixedKey();
    void connectSignatureMatchesNodeCrypto_data();
    void connectSignatureMatchesNodeCrypto();
    void smallOrderAndNonCanonicalKeysAreRefused();
    void hubInfoRoundTrips();
    void hubInfoRefusesWhatIsNotOne_data();
    void hubInfoRefusesWhatIsNotOne();
    void base64UrlIsStrict_data();
    void base64UrlIsStrict();
    void base64UrlRoundTrips();
    void signedConnectParams_data();
    void signedConnectParams();
    void verifyRefusesEveryChange();
    void pemRoundTripAndRefusals();
    void tagAndFingerprint();
};

void tst_Identity::rfc8032TestVector1()
{
    const std::optional<KeyPair> key = KeyPair::fromPrivateKey(rfcSecret);
    QVERIFY(key);
    QCOMPARE(key->publicKey(), rfcPublic);
    QCOMPARE(key->privateKey(), rfcSecret);
    QCOMPARE(key->sign(QByteArray()), rfcSignature);
    QVERIFY(verify(rfcPublic, QByteArray(), rfcSignature));
}

void tst_Identity::userIdOfAFixedKey()
{
    QCOMPARE(userIdOf(rfcPublic), rfcUserId);
    QCOMPARE(KeyPair::fromPrivateKey(rfcSecret)->userId(), rfcUserId);
    QCOMPARE(rfcUserId.size(), userIdLength);
}

void tst_Identity::connectSignatureMatchesNodeCrypto_data()
{
    QTest::addColumn<QString>("binding");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("sig");
    QTest::addRow("wss: the certificate")
        << fingerprintBinding(exampleFingerprint)
        << QByteArray("parley-connect-v2\nfp:" + exampleFingerprint.toLatin1()
                      + "\n1764107000123\nIf4x36FUomFia_hUBG_SJw")
        << fpConnectSig;
    QTest::addRow("ws: the hub id")
        << hubIdBinding(exampleHubId)
        << QByteArray("parley-connect-v2\nhub:" + exampleHubId.toLatin1()
                      + "\n1764107000123\nIf4x36FUomFia_hUBG_SJw")
        << hubConnectSig;
}

void tst_Identity::connectSignatureMatchesNodeCrypto()
{
    QFETCH(QString, binding);
    QFETCH(QByteArray, message);
    QFETCH(QString, sig);
    QCOMPARE(connectMessage(binding, 1764107000123, rfcUserId), message);
    const KeyPair key = *KeyPair::fromPrivateKey(rfcSecret);
    QCOMPARE(toBase64Url(key.sign(message)), sig);

    const QMap<QString, QString> params = key.connectParams(binding, 1764107000123);
    QCOMPARE(params.value("key"), toBase64Url(rfcPublic));
    QCOMPARE(params.value("ts"), QStringLiteral("1764107000123"));
    QCOMPARE(params.value("sig"), sig);
    QCOMPARE(params.value("user_id"), rfcUserId);
}

void tst_Identity::smallOrderAndNonCanonicalKeysAreRefused()
{
    // Why it matters: OpenSSL verifies R = identity, S = 0 under the identity key for any
    // message, so without the check anyone could connect as that key's user_id.
    const QByteArray identityPoint = smallOrderKeys().at(2);
    const QByteArray forged = identityPoint + QByteArray(32, '\0');
    QVERIFY(
        verify(identityPoint,
               connectMessage(fingerprintBinding(exampleFingerprint), 1, userIdOf(identityPoint)),
               forged));

    const QList<QByteArray> keys = smallOrderKeys();
    QCOMPARE(keys.size(), 10 + 19);
    for (const QByteArray &key : keys) {
        QVERIFY2(!isAcceptablePublicKey(key), key.toHex().constData());
        const std::optional<SignedConnect> connect
            = parseSignedConnect(toBase64Url(key), QStringLiteral("1"),
                                 toBase64Url(key + QByteArray(32, '\0')), userIdOf(key));
        QVERIFY2(!connect, key.toHex().constData());
    }
    // Real keys pass, the RFC's and fresh ones; so do keys one bit away from the refused ones.
    QVERIFY(isAcceptablePublicKey(rfcPublic));
    for (int i = 0; i < 50; ++i)
        QVERIFY(isAcceptablePublicKey(KeyPair::generate().publicKey()));
    QByteArray nearIdentity = identityPoint;
    nearIdentity[0] = char(0x03);
    QVERIFY(isAcceptablePublicKey(nearIdentity));
    QByteArray belowP(32, char(0xff));
    belowP[0]
        = char(0xec - 1); // y = p - 2: canonical (whether it is on the curve is OpenSSL's check)
    belowP[31] = char(0x7f);
    QVERIFY(isAcceptablePublicKey(belowP));
    QVERIFY(!isAcceptablePublicKey(rfcPublic.left(31)));
}

void tst_Identity::hubInfoRoundTrips()
{
    using Parley::Protocol::HubInfo;
    const HubInfo plain { exampleHubId, QStringLiteral("Ana's hub"), {} };
    QCOMPARE(plain.toJson(),
             QByteArray("{\"fp\":null,\"hub_id\":\"" + exampleHubId.toLatin1()
                        + "\",\"name\":\"Ana's hub\",\"protocol\":2,\"tls\":false}"));
    const HubInfo tls { exampleHubId, QStringLiteral("Ana's hub"), exampleFingerprint };
    for (const HubInfo &info : { plain, tls }) {
        const std::optional<HubInfo> read = HubInfo::fromJson(info.toJson());
        QVERIFY(read);
        QCOMPARE(read->hubId, info.hubId);
        QCOMPARE(read->name, info.name);
        QCOMPARE(read->fingerprint, info.fingerprint);
        QCOMPARE(read->isTls(), info.isTls());
        QCOMPARE(read->protocol, 2);
    }
}

void tst_Identity::hubInfoRefusesWhatIsNotOne_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addRow("not JSON") << QByteArray("<html>404</html>");
    QTest::addRow("an array") << QByteArray("[]");
    QTest::addRow("no hub_id") << QByteArray(
        "{\"name\":\"x\",\"tls\":false,\"fp\":null,\"protocol\":2}");
    QTest::addRow("empty hub_id") << QByteArray(
        "{\"hub_id\":\"\",\"name\":\"x\",\"tls\":false,\"fp\":null,\"protocol\":2}");
    QTest::addRow("hub_id a number")
        << QByteArray("{\"hub_id\":7,\"name\":\"x\",\"tls\":false,\"fp\":null,\"protocol\":2}");
    QTest::addRow("hub_id too long")
        << ("{\"hub_id\":\"" + QByteArray(65, 'a')
            + "\",\"name\":\"x\",\"tls\":false,\"fp\":null,\"protocol\":2}");
    QTest::addRow("tls without fp")
        << QByteArray("{\"hub_id\":\"h\",\"name\":\"x\",\"tls\":true,\"fp\":null,\"protocol\":2}");
    QTest::addRow("fp without tls") << ("{\"hub_id\":\"h\",\"name\":\"x\",\"tls\":false,\"fp\":\""
                                        + QByteArray(64, 'a') + "\",\"protocol\":2}");
    QTest::addRow("fp in capitals") << ("{\"hub_id\":\"h\",\"name\":\"x\",\"tls\":true,\"fp\":\""
                                        + QByteArray(64, 'A') + "\",\"protocol\":2}");
    QTest::addRow("fp cut") << ("{\"hub_id\":\"h\",\"name\":\"x\",\"tls\":true,\"fp\":\""
                                + QByteArray(63, 'a') + "\",\"protocol\":2}");
    QTest::addRow("tls a string") << QByteArray(
        "{\"hub_id\":\"h\",\"name\":\"x\",\"tls\":\"no\",\"fp\":null,\"protocol\":2}");
    QTest::addRow("no protocol") << QByteArray(
        "{\"hub_id\":\"h\",\"name\":\"x\",\"tls\":false,\"fp\":null}");
}

void tst_Identity::hubInfoRefusesWhatIsNotOne()
{
    QFETCH(QByteArray, json);
    QVERIFY(!Parley::Protocol::HubInfo::fromJson(json));
}

void tst_Identity::base64UrlIsStrict_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("bytes");
    QTest::addColumn<bool>("valid");
    QTest::addRow("user_id") << rfcUserId << 16 << true;
    QTest::addRow("empty for 0 bytes") << QString() << 0 << true;
    QTest::addRow("padding") << rfcUserId + QStringLiteral("==") << 16 << false;
    QTest::addRow("standard alphabet +") << QStringLiteral("If4x36FUomFia+hUBG/SJw") << 16 << false;
    QTest::addRow("one short") << rfcUserId.left(21) << 16 << false;
    QTest::addRow("one long") << rfcUserId + QStringLiteral("A") << 16 << false;
    QTest::addRow("stray bits in the last character") << QStringLiteral("If4x36FUomFia_hUBG_SJx") << 16 << false;
    QTest::addRow("a space") << QStringLiteral("If4x36FUomFia hUBG_SJw") << 16 << false;
    QTest::addRow("non-ASCII") << QStringLiteral("If4x36FUomFia_hUBG_SJé") << 16 << false;
}

void tst_Identity::base64UrlIsStrict()
{
    QFETCH(QString, text);
    QFETCH(int, bytes);
    QFETCH(bool, valid);
    QCOMPARE(fromBase64Url(text, bytes).has_value(), valid);
}

void tst_Identity::base64UrlRoundTrips()
{
    for (int size = 0; size < 70; ++size) {
        QByteArray bytes(size, Qt::Uninitialized);
        for (int i = 0; i < size; ++i)
            bytes[i] = char((i * 73 + size * 31) & 0xff);
        const QString text = toBase64Url(bytes);
        QCOMPARE(text.size(), (size * 8 + 5) / 6);
        QCOMPARE(fromBase64Url(text, size).value_or(QByteArray("x")), bytes);
        QCOMPARE(text, QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)));
    }
}

void tst_Identity::signedConnectParams_data()
{
    const KeyPair key = *KeyPair::fromPrivateKey(rfcSecret);
    const QMap<QString, QString> good
        = key.connectParams(fingerprintBinding(exampleFingerprint), 1764107000123);
    const QString other = KeyPair::generate().userId();
    QTest::addColumn<QString>("keyParam");
    QTest::addColumn<QString>("ts");
    QTest::addColumn<QString>("sig");
    QTest::addColumn<QString>("userId");
    QTest::addColumn<bool>("wellFormed");
    QTest::addRow("good") << good["key"] << good["ts"] << good["sig"] << good["user_id"] << true;
    QTest::addRow("user_id of another key") << good["key"] << good["ts"] << good["sig"] << other << false;
    QTest::addRow("user_id missing") << good["key"] << good["ts"] << good["sig"] << QString() << false;
    QTest::addRow("key missing") << QString() << good["ts"] << good["sig"] << good["user_id"] << false;
    QTest::addRow("key too short") << good["key"].left(42) << good["ts"] << good["sig"] << good["user_id"] << false;
    QTest::addRow("sig missing") << good["key"] << good["ts"] << QString() << good["user_id"] << false;
    QTest::addRow("sig too short") << good["key"] << good["ts"] << good["sig"].left(85) << good["user_id"] << false;
    QTest::addRow("ts missing") << good["key"] << QString() << good["sig"] << good["user_id"] << false;
    QTest::addRow("ts negative") << good["key"] << "-5" << good["sig"] << good["user_id"] << false;
    QTest::addRow("ts not a number") << good["key"] << "soon" << good["sig"] << good["user_id"] << false;
    QTest::addRow("ts with a fraction") << good["key"] << "1764107000123.5" << good["sig"] << good["user_id"] << false;
    QTest::addRow("ts absurdly long") << good["key"] << QString(40, u'9') << good["sig"] << good["user_id"] << false;
}

void tst_Identity::signedConnectParams()
{
    QFETCH(QString, keyParam);
    QFETCH(QString, ts);
    QFETCH(QString, sig);
    QFETCH(QString, userId);
    QFETCH(bool, wellFormed);
    const std::optional<SignedConnect> connect = parseSignedConnect(keyParam, ts, sig, userId);
    QCOMPARE(connect.has_value(), wellFormed);
    if (connect) {
        QCOMPARE(connect->userId, rfcUserId);
        QCOMPARE(connect->ts, 1764107000123);
        QVERIFY(verify(
            connect->publicKey,
            connectMessage(fingerprintBinding(exampleFingerprint), connect->ts, connect->userId),
            connect->signature));
    }
}

void tst_Identity::verifyRefusesEveryChange()
{
    const KeyPair key = KeyPair::generate();
    const QString binding = fingerprintBinding(exampleFingerprint);
    const QByteArray message = connectMessage(binding, 1000, key.userId());
    const QByteArray signature = key.sign(message);
    QVERIFY(verify(key.publicKey(), message, signature));
    // Another hub (one replaying the connect elsewhere), by certificate or by id, another ts,
    // another key.
    QVERIFY(!verify(key.publicKey(),
                    connectMessage(fingerprintBinding(QString(64, u'0')), 1000, key.userId()),
                    signature));
    QVERIFY(!verify(key.publicKey(),
                    connectMessage(hubIdBinding(exampleFingerprint), 1000, key.userId()),
                    signature));
    QVERIFY(!verify(key.publicKey(), connectMessage(binding, 1001, key.userId()), signature));
    QVERIFY(!verify(KeyPair::generate().publicKey(), message, signature));
    for (int bit = 0; bit < signatureSize * 8; bit += 37) {
        QByteArray flipped = signature;
        flipped[bit / 8] = char(flipped[bit / 8] ^ (1 << (bit % 8)));
        QVERIFY2(!verify(key.publicKey(), message, flipped), qPrintable(QString::number(bit)));
    }
    QVERIFY(!verify(key.publicKey(), message, signature.left(63)));
    QVERIFY(!verify(key.publicKey().left(31), message, signature));
    QVERIFY(KeyPair::generate().userId() != KeyPair::generate().userId());
}

void tst_Identity::pemRoundTripAndRefusals()
{
    const KeyPair key = KeyPair::generate();
    const QByteArray pem = key.toPem();
    QVERIFY(pem.startsWith("-----BEGIN PRIVATE KEY-----"));
    const std::optional<KeyPair> back = KeyPair::fromPem(pem);
    QVERIFY(back);
    QCOMPARE(back->userId(), key.userId());
    QCOMPARE(back->privateKey(), key.privateKey());

    QString error;
    QVERIFY(!KeyPair::fromPem("not a key", &error));
    QVERIFY(!error.isEmpty());
    QByteArray truncated = pem;
    truncated.chop(40);
    QVERIFY(!KeyPair::fromPem(truncated, &error));
    // An EC (P-256) key is a valid PEM private key, but not an identity.
    const QByteArray ecKey = "-----BEGIN PRIVATE KEY-----\n"
                             "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg02IkVMOOL2ngu5KL\n"
                             "qkrtHDy+NF506LEQ0SaCnDKzAVihRANCAATK5v+tjQnYkzr9T/83YTDW7ETm7It0\n"
                             "BsgtTbw/L/NnTFIj2OKH+FY784+LZVqaDcGfXOWuXAj5/vuq/tTzhZ0U\n"
                             "-----END PRIVATE KEY-----\n";
    error.clear();
    QVERIFY(!KeyPair::fromPem(ecKey, &error));
    QCOMPARE(error, QStringLiteral("not an Ed25519 key"));
    QVERIFY(!KeyPair::fromPrivateKey(QByteArray(31, 'x')));
}

void tst_Identity::tagAndFingerprint()
{
    QCOMPARE(shortTag(rfcUserId), QStringLiteral("21fe"));
    QCOMPARE(fingerprint(rfcUserId), QStringLiteral("21fe 31df a154 a261 626b f854 046f d227"));
    QCOMPARE(shortTag(QStringLiteral("not-a-user-id")), QString());
    QCOMPARE(fingerprint(QStringLiteral("not-a-user-id")), QString());
}

QTEST_GUILESS_MAIN(tst_Identity)
#include "tst_identity.moc"
