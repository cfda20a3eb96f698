// The identity key on disk (Client::IdentityFile): made on first start with mode 0600, the
// same identity on every later start, and a file that cannot be read is an error that leaves
// the file exactly as it was, never a new identity in its place.

#include "client/identityfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace Parley::Client;
using Parley::Protocol::Identity::KeyPair;

namespace {

int modeOf(const QString &path) // the file's permission bits, e.g. 0600
{
    struct stat info {};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777) : -1;
}

} // namespace

class tst_IdentityFile : public QObject
{
    Q_OBJECT
private slots:
    void firstStartMakesAKeyOnlyTheUserCanRead();
    void laterStartsAreTheSameIdentity();
    void unreadableFileIsAnErrorAndStaysAsItWas_data();
    void unreadableFileIsAnErrorAndStaysAsItWas();
    void writeReplacesWholeAndMoveAsideKeepsTheOld();

private:
    QTemporaryDir m_dir;
};

void tst_IdentityFile::firstStartMakesAKeyOnlyTheUserCanRead()
{
    const QString path = m_dir.filePath(QStringLiteral("new/folder/identity.pem"));
    const IdentityFile::Loaded loaded = IdentityFile::loadOrCreate(path);
    QVERIFY2(loaded.key, qPrintable(loaded.error));
    QVERIFY(loaded.created);
    QCOMPARE(modeOf(path), 0600);
    QCOMPARE(modeOf(m_dir.filePath(QStringLiteral("new/folder"))), 0700); // the folder it made
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().startsWith("-----BEGIN PRIVATE KEY-----"));
}

void tst_IdentityFile::laterStartsAreTheSameIdentity()
{
    const QString path = m_dir.filePath(QStringLiteral("same.pem"));
    const IdentityFile::Loaded first = IdentityFile::loadOrCreate(path);
    QVERIFY(first.key);
    const IdentityFile::Loaded second = IdentityFile::loadOrCreate(path);
    QVERIFY(second.key);
    QVERIFY(!second.created);
    QCOMPARE(second.key->userId(), first.key->userId());
    QCOMPARE(second.key->privateKey(), first.key->privateKey());
}

void tst_IdentityFile::unreadableFileIsAnErrorAndStaysAsItWas_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addRow("empty") << QByteArray();
    QTest::addRow("garbage") << QByteArray("this is not a key\n");
    QByteArray truncated = KeyPair::generate().toPem();
    truncated.chop(30);
    QTest::addRow("truncated") << truncated;
    QTest::addRow("an EC key") << QByteArray("-----BEGIN PRIVATE KEY-----\n"
                                             "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg02IkVMOOL2ngu5KL\n"
                                             "qkrtHDy+NF506LEQ0SaCnDKzAVihRANCAATK5v+tjQnYkzr9T/83YTDW7ETm7It0\n"
                                             "BsgtTbw/L/NnTFIj2OKH+FY784+LZVqaDcGfXOWuXAj5/vuq/tTzhZ0U\n"
                                             "-----END PRIVATE KEY-----\n");
}

void tst_IdentityFile::unreadableFileIsAnErrorAndStaysAsItWas()
{
    QFETCH(QByteArray, content);
    const QString path = m_dir.filePath(QStringLiteral("broken-%1.pem").arg(QTest::currentDataTag()));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    const IdentityFile::Loaded loaded = IdentityFile::loadOrCreate(path);
    QVERIFY(!loaded.key);
    QVERIFY(!loaded.created);
    QVERIFY2(loaded.error.contains(path), qPrintable(loaded.error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), content);

    // Unreadable for permissions: the same (root reads anything, so only when not root).
    if (::geteuid() != 0) {
        const QString locked = m_dir.filePath(QStringLiteral("locked.pem"));
        QString error;
        QVERIFY(IdentityFile::write(locked, KeyPair::generate(), &error));
        QFile::setPermissions(locked, QFileDevice::WriteOwner);
        QVERIFY(!IdentityFile::loadOrCreate(locked).key);
    }
}

void tst_IdentityFile::writeReplacesWholeAndMoveAsideKeepsTheOld()
{
    const QString path = m_dir.filePath(QStringLiteral("replace.pem"));
    const KeyPair first = KeyPair::generate();
    const KeyPair second = KeyPair::generate();
    QString error;
    QVERIFY(IdentityFile::write(path, first, &error));
    const QString aside = IdentityFile::moveAside(path, QStringLiteral("replaced"), &error);
    QVERIFY2(!aside.isEmpty(), qPrintable(error));
    QVERIFY(aside.startsWith(path + QStringLiteral(".replaced-")));
    QVERIFY(!QFile::exists(path));
    QVERIFY(IdentityFile::write(path, second, &error));
    QCOMPARE(IdentityFile::read(path, &error)->userId(), second.userId());
    QCOMPARE(IdentityFile::read(aside, &error)->userId(), first.userId());
    QCOMPARE(modeOf(path), 0600);
}

QTEST_GUILESS_MAIN(tst_IdentityFile)
#include "tst_identityfile.moc"
