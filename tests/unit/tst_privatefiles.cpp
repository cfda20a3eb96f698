// Protocol::PrivateFiles: files made 0600 and folders 0700 whatever the umask allows, the 0644
// and 0755 an older version left narrowed with their contents kept, and a shared folder such as
// /tmp (sticky bit) never narrowed.

#include "filemodes.h"
#include "protocol/privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Parley::Protocol;
using namespace Parley::Testing::FileModes;

class tst_PrivateFiles : public QObject
{
    Q_OBJECT
private slots:
    void newFolderIsOwnerOnly();
    void existingFolderIsNarrowed();
    void sharedFolderIsRefused();
    void newFileIsOwnerOnlyAndEmpty();
    void existingFileIsNarrowedAndKept();
    void narrowIfExistsLeavesAMissingFileMissing();
    void aFolderIsNotAFile();

private:
    QTemporaryDir m_dir;
};

void tst_PrivateFiles::newFolderIsOwnerOnly()
{
    const Umask lax(0); // a umask that would leave a plain mkdir 0777
    const QString folder = m_dir.filePath(QStringLiteral("made/here"));
    QString error;
    QVERIFY2(PrivateFiles::ensureFolder(folder, &error), qPrintable(error));
    QCOMPARE(modeOf(folder), 0700);
    QVERIFY2(PrivateFiles::ensureFolder(folder, &error), qPrintable(error)); // again: no change
    QCOMPARE(modeOf(folder), 0700);
}

void tst_PrivateFiles::existingFolderIsNarrowed()
{
    const QString folder = m_dir.filePath(QStringLiteral("old"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(setMode(folder, 0755));
    QString error;
    QVERIFY2(PrivateFiles::ensureFolder(folder + QLatin1Char('/'), &error), qPrintable(error));
    QCOMPARE(modeOf(folder), 0700);
}

void tst_PrivateFiles::sharedFolderIsRefused()
{
    const QString folder = m_dir.filePath(QStringLiteral("shared"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(setMode(folder, 01777));
    QString error;
    QVERIFY(!PrivateFiles::ensureFolder(folder, &error));
    QVERIFY2(error.contains(QLatin1String("sticky")), qPrintable(error));
    QCOMPARE(modeOf(folder), 01777);
}

void tst_PrivateFiles::newFileIsOwnerOnlyAndEmpty()
{
    const Umask lax(0);
    const QString file = m_dir.filePath(QStringLiteral("new.sqlite3"));
    QString error;
    QVERIFY2(PrivateFiles::ensureFile(file, &error), qPrintable(error));
    QCOMPARE(modeOf(file), 0600);
    QCOMPARE(QFileInfo(file).size(), 0);
    {
        const Umask strict(0277); // takes the owner's write bit from what open() makes
        const QString other = m_dir.filePath(QStringLiteral("strict.ini"));
        QVERIFY2(PrivateFiles::ensureFile(other, &error), qPrintable(error));
        QCOMPARE(modeOf(other), 0600);
    }
}

void tst_PrivateFiles::existingFileIsNarrowedAndKept()
{
    const QString path = m_dir.filePath(QStringLiteral("old.ini"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("[identity]\nnick=Ana\n");
    file.close();
    QVERIFY(setMode(path, 0644));
    QString error;
    QVERIFY2(PrivateFiles::ensureFile(path, &error), qPrintable(error));
    QCOMPARE(modeOf(path), 0600);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("[identity]\nnick=Ana\n"));
    file.close();

    QVERIFY(setMode(path, 0664));
    QVERIFY2(PrivateFiles::narrowIfExists(path, &error), qPrintable(error));
    QCOMPARE(modeOf(path), 0600);
}

void tst_PrivateFiles::narrowIfExistsLeavesAMissingFileMissing()
{
    const QString path = m_dir.filePath(QStringLiteral("hub.sqlite3-wal"));
    QString error;
    QVERIFY2(PrivateFiles::narrowIfExists(path, &error), qPrintable(error));
    QVERIFY(!QFile::exists(path));
}

void tst_PrivateFiles::aFolderIsNotAFile()
{
    const QString folder = m_dir.filePath(QStringLiteral("folder"));
    QVERIFY(QDir().mkpath(folder));
    QVERIFY(setMode(folder, 0755));
    QString error;
    QVERIFY(!PrivateFiles::ensureFile(folder, &error));
    QVERIFY(!error.isEmpty());
    QCOMPARE(modeOf(folder), 0755);
    const QString file = m_dir.filePath(QStringLiteral("file"));
    QVERIFY(PrivateFiles::ensureFile(file, &error));
    QVERIFY(!PrivateFiles::ensureFolder(file, &error));
}

QTEST_GUILESS_MAIN(tst_PrivateFiles)
#include "tst_privatefiles.moc"
