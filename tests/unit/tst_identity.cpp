// The identity rules of docs/protocol.md ("Identity (signed connect)") against fixed vectors:
// RFC 8032's test vector 1 for the Ed25519 signature, the user_id of that key computed
// independently (Python hashlib), a connect signature computed independently (Node's crypto),
// the strict base64url reading, the Host a client signs, and the parsing of the connect params.

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
// Node's crypto.sign(null, "parley-connect-v1\n127.0.0.1:4000\n1764107000123\n" + rfcUserId, key).
const QString rfcConnectSig = QStringLiteral(
        "-hh5YKlkG9PjOd_-QWVwIGfVwQc0X4Y1y-OL6AtAvwwj_WhuB6ygtnQ2nf7PV70G9YQxpg26HZT7b-OfUwyaAg");

} // namespace

class tst_Identity : public QObject
{
    Q_OBJECT
private slots:
    void rfc8032TestVector1();
    void userIdOfAFixedKey();
    void connectSignatureMatchesNodeCrypto();
    void base64UrlIsStrict_data();
    void base64UrlIsStrict();
    void base64UrlRoundTrips();
    void hostIsWhatTheClientSends_data();
    void hostIsWhatTheClientSends();
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

void tst_Identity::connectSignatureMatchesNodeCrypto()
{
    const QByteArray message = connectMessage(u"127.0.0.1:4000", 1764107000123, rfcUserId);
    QCOMPARE(message, QByteArray("parley-connect-v1\n127.0.0.1:4000\n1764107000123\nIf4x36FUomFia_hUBG_SJw"));
    const KeyPair key = *KeyPair::fromPrivateKey(rfcSecret);
    QCOMPARE(toBase64Url(key.sign(message)), rfcConnectSig);
    // The host is signed lowercased, whatever case it is given in.
    QCOMPARE(connectMessage(u"LocalHost:4000", 1, rfcUserId), connectMessage(u"localhost:4000", 1, rfcUserId));

    const QMap<QString, QString> params = key.connectParams(u"127.0.0.1:4000", 1764107000123);
    QCOMPARE(params.value("key"), toBase64Url(rfcPublic));
    QCOMPARE(params.value("ts"), QStringLiteral("1764107000123"));
    QCOMPARE(params.value("sig"), rfcConnectSig);
    QCOMPARE(params.value("user_id"), rfcUserId);
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

void tst_Identity::hostIsWhatTheClientSends_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("host");
    QTest::addRow("IPv4 and port") << "ws://127.0.0.1:4000/socket" << "127.0.0.1:4000";
    QTest::addRow("name in capitals") << "ws://MyHub.Local:4000/socket" << "myhub.local:4000";
    QTest::addRow("IPv6") << "ws://[::1]:4000/socket" << "[::1]:4000";
    QTest::addRow("ws default port") << "ws://hub.example:80/socket" << "hub.example";
    QTest::addRow("wss default port") << "wss://hub.example:443/socket" << "hub.example";
    QTest::addRow("wss on 80 keeps it") << "wss://hub.example:80/socket" << "hub.example:80";
    QTest::addRow("no port") << "wss://hub.example/socket" << "hub.example";
    QTest::addRow("user info dropped") << "ws://me:pw@127.0.0.1:4000/socket?x=1" << "127.0.0.1:4000";
}

void tst_Identity::hostIsWhatTheClientSends()
{
    QFETCH(QString, url);
    QFETCH(QString, host);
    QCOMPARE(hostOf(QUrl(url)), host);
}

void tst_Identity::signedConnectParams_data()
{
    const KeyPair key = *KeyPair::fromPrivateKey(rfcSecret);
    const QMap<QString, QString> good = key.connectParams(u"127.0.0.1:4000", 1764107000123);
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
        QVERIFY(verify(connect->publicKey, connectMessage(u"127.0.0.1:4000", connect->ts, connect->userId),
                       connect->signature));
    }
}

void tst_Identity::verifyRefusesEveryChange()
{
    const KeyPair key = KeyPair::generate();
    const QByteArray message = connectMessage(u"127.0.0.1:4000", 1000, key.userId());
    const QByteArray signature = key.sign(message);
    QVERIFY(verify(key.publicKey(), message, signature));
    // Another host (a hub replaying the connect elsewhere), another ts, another key.
    QVERIFY(!verify(key.publicKey(), connectMessage(u"127.0.0.1:4001", 1000, key.userId()), signature));
    QVERIFY(!verify(key.publicKey(), connectMessage(u"127.0.0.1:4000", 1001, key.userId()), signature));
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
