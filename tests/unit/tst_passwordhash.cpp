// PasswordHash: salted hashes that verify only the right password, and constant-time comparison.

#include "hub/passwordhash.h"

#include <QTest>

using namespace Parley::Hub;

class TestPasswordHash : public QObject
{
    Q_OBJECT

private slots:
    void passwordHashVerifies()
    {
        const auto hashed = PasswordHash::hash(QStringLiteral("correct horse"));
        QCOMPARE(hashed.salt.size(), PasswordHash::kSaltSize);
        QCOMPARE(hashed.hash.size(), PasswordHash::kKeySize);
        QVERIFY(!hashed.hash.contains("correct horse"));
        QVERIFY(PasswordHash::verify(QStringLiteral("correct horse"), hashed.hash, hashed.salt));
        QVERIFY(!PasswordHash::verify(QStringLiteral("correct hors"), hashed.hash, hashed.salt));
        QVERIFY(!PasswordHash::verify(QString(), hashed.hash, hashed.salt));
        QVERIFY(!PasswordHash::verify(QStringLiteral("correct horse"), hashed.hash,
                                      PasswordHash::hash(QStringLiteral("x")).salt));
        QVERIFY(!PasswordHash::verify(QStringLiteral("correct horse"), {}, {}));
    }

    void passwordHashHandlesNonAscii()
    {
        const auto hashed = PasswordHash::hash(QStringLiteral("pässwörd ✓"));
        QVERIFY(PasswordHash::verify(QStringLiteral("pässwörd ✓"), hashed.hash, hashed.salt));
        QVERIFY(!PasswordHash::verify(QStringLiteral("passwort ✓"), hashed.hash, hashed.salt));
    }

    void saltsDiffer()
    {
        const auto a = PasswordHash::hash(QStringLiteral("same"));
        const auto b = PasswordHash::hash(QStringLiteral("same"));
        QVERIFY(a.salt != b.salt);
        QVERIFY(a.hash != b.hash);
    }

    void constantTimeEqualsCompares_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("equal");
        QTest::addRow("both empty") << QByteArray() << QByteArray() << true;
        QTest::addRow("same") << QByteArray("abcdef") << QByteArray("abcdef") << true;
        QTest::addRow("first byte") << QByteArray("xbcdef") << QByteArray("abcdef") << false;
        QTest::addRow("last byte") << QByteArray("abcdex") << QByteArray("abcdef") << false;
        QTest::addRow("prefix") << QByteArray("abc") << QByteArray("abcdef") << false;
        QTest::addRow("high bit") << QByteArray("\x80") << QByteArray("\x00", 1) << false;
    }
    void constantTimeEqualsCompares()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, equal);
        QCOMPARE(PasswordHash::constantTimeEquals(a, b), equal);
        QCOMPARE(PasswordHash::constantTimeEquals(b, a), equal);
    }
};

QTEST_GUILESS_MAIN(TestPasswordHash)
#include "tst_passwordhash.moc"
