// What another account on the hub's computer could read: the hub's data directory is 0700 and
// its SQLite database with its -wal and -shm 0600, also when an older version left them 0755 and
// 0644; and the hub password, given with --password-file, is not in the process list.

#include "filemodes.h"
#include "hub/hub.h"
#include "hubprocess.h"
#include "rawphoenixclient.h"
#include "testhub.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Parley;
using Parley::Testing::HubProcess;
using Parley::Testing::RawPhoenixClient;
using Parley::Testing::TestHub;
using namespace Parley::Testing::FileModes;

namespace {

Hub::HubSettings settingsWithData(const QString &dataDir)
{
    Hub::HubSettings settings = TestHub::settings();
    settings.dataDir = dataDir;
    return settings;
}

QString writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return {};
    return path;
}

// A signed connect to `hub` with the hub password `password` (none if empty): accepted?
bool connectAccepted(const QUrl &hub, const QString &password)
{
    QUrlQuery query = RawPhoenixClient::params(QStringLiteral("local-ana"), QStringLiteral("Ana"));
    if (!password.isEmpty())
        query.addQueryItem(QStringLiteral("password"), password);
    RawPhoenixClient client;
    client.open(RawPhoenixClient::socketUrl(hub, query));
    return client.waitForOpen() && client.roundTrip();
}

// parley-hub with `arguments` (on 127.0.0.1, in memory, no discovery): it must end by itself.
struct Finished
{
    bool finished = false;
    int exitCode = -1;
    QString errorOutput;
};
Finished runHub(const QStringList &arguments)
{
    QProcess hub;
    hub.start(QStringLiteral(PARLEY_HUB_PROGRAM),
              QStringList { QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                            QStringLiteral("--port"), QStringLiteral("0"),
                            QStringLiteral("--ephemeral"), QStringLiteral("--no-tls"),
                            QStringLiteral("--discovery"), QStringLiteral("off") }
                  + arguments);
    Finished result;
    result.finished = hub.waitForFinished(15'000);
    result.exitCode = hub.exitCode();
    result.errorOutput = QString::fromLocal8Bit(hub.readAllStandardError());
    return result; // a hub that did not end is killed here
}

} // namespace

class tst_HubLocal : public QObject
{
    Q_OBJECT
private slots:
    void dataFilesAreOwnerOnly();
    void readableDataFilesAreNarrowedAtStart();
    void passwordFileLetsOnlyItsPasswordIn();
    void passwordFileErrors_data();
    void passwordFileErrors();
    void helpWarnsThatPasswordIsVisible();

private:
    QTemporaryDir m_dir;
};

void tst_HubLocal::dataFilesAreOwnerOnly()
{
    const Umask umask;
    const QString dataDir = m_dir.filePath(QStringLiteral("new/data"));
    TestHub hub(settingsWithData(dataDir));
    QVERIFY(hub.start());
    QVERIFY(connectAccepted(hub.url(), {})); // the hub is in use: WAL and its index are open
    const QString db = QDir(dataDir).filePath(QStringLiteral("hub.sqlite3"));
    QCOMPARE(modeOf(dataDir), 0700);
    QCOMPARE(modeOf(db), 0600);
    QCOMPARE(modeOf(db + QStringLiteral("-wal")), 0600);
    QCOMPARE(modeOf(db + QStringLiteral("-shm")), 0600);
}

void tst_HubLocal::readableDataFilesAreNarrowedAtStart()
{
    // What an older version left: a hub's files as the umask made them, among them the -wal and
    // -shm of a hub that was killed.
    const Umask umask;
    const QString dataDir = m_dir.filePath(QStringLiteral("old"));
    const QString db = QDir(dataDir).filePath(QStringLiteral("hub.sqlite3"));
    QString hubId;
    {
        TestHub first(settingsWithData(dataDir));
        QVERIFY(first.start());
        hubId = first.runner().hub()->hubId();
    }
    QVERIFY(!writeFile(db + QStringLiteral("-wal"), {}).isEmpty());
    QVERIFY(!writeFile(db + QStringLiteral("-shm"), {}).isEmpty());
    for (const QString &file : { db, db + QStringLiteral("-wal"), db + QStringLiteral("-shm") })
        QVERIFY(setMode(file, 0644));
    QVERIFY(setMode(dataDir, 0755));

    TestHub again(settingsWithData(dataDir));
    QVERIFY(again.start());
    QCOMPARE(again.runner().hub()->hubId(), hubId); // the same database, kept
    QVERIFY(connectAccepted(again.url(), {}));
    QCOMPARE(modeOf(dataDir), 0700);
    QCOMPARE(modeOf(db), 0600);
    QCOMPARE(modeOf(db + QStringLiteral("-wal")), 0600);
    QCOMPARE(modeOf(db + QStringLiteral("-shm")), 0600);
}

void tst_HubLocal::passwordFileLetsOnlyItsPasswordIn()
{
    const QString file = writeFile(m_dir.filePath(QStringLiteral("hub-password")), "s3cret pass\n");
    QVERIFY(!file.isEmpty());
    HubProcess::Options options;
    options.passwordFile = file;
    HubProcess hub(options);
    QVERIFY(hub.start());
    QVERIFY(!connectAccepted(hub.url(), {}));
    QVERIFY(!connectAccepted(hub.url(), QStringLiteral("s3cret pass\n")));
    QVERIFY(!connectAccepted(hub.url(), QStringLiteral("wrong")));
    QVERIFY(connectAccepted(hub.url(), QStringLiteral("s3cret pass")));
    // What other users see of the hub: its command line names the file, never the password.
    QFile commandLine(QStringLiteral("/proc/%1/cmdline").arg(hub.processId()));
    QVERIFY(commandLine.open(QIODevice::ReadOnly));
    const QByteArray arguments = commandLine.readAll();
    QVERIFY(arguments.contains(QFile::encodeName(file)));
    QVERIFY(!arguments.contains("s3cret"));
}

void tst_HubLocal::passwordFileErrors_data()
{
    QTest::addColumn<QByteArray>("contents"); // null: no file at all
    QTest::addColumn<bool>("alsoPassword");
    QTest::addColumn<QString>("says");
    QTest::addRow("missing file") << QByteArray() << false << QStringLiteral("cannot read");
    QTest::addRow("empty file") << QByteArray("") << false
                                << QStringLiteral("no password on its first line");
    QTest::addRow("empty first line")
        << QByteArray("\nsecret\n") << false << QStringLiteral("no password on its first line");
    QTest::addRow("with --password")
        << QByteArray("secret\n") << true << QStringLiteral("not both");
}

void tst_HubLocal::passwordFileErrors()
{
    QFETCH(QByteArray, contents);
    QFETCH(bool, alsoPassword);
    QFETCH(QString, says);
    const QString path = m_dir.filePath(
        QStringLiteral("password-%1").arg(QString::fromLatin1(QTest::currentDataTag())));
    QFile::remove(path);
    if (!contents.isNull()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(contents);
    }
    QStringList arguments { QStringLiteral("--password-file"), path };
    if (alsoPassword)
        arguments << QStringLiteral("--password") << QStringLiteral("secret");
    const Finished hub = runHub(arguments);
    QVERIFY2(hub.finished, "parley-hub started instead of refusing");
    QCOMPARE(hub.exitCode, 2);
    QVERIFY2(hub.errorOutput.contains(says), qPrintable(hub.errorOutput));
}

void tst_HubLocal::helpWarnsThatPasswordIsVisible()
{
    QProcess hub;
    hub.start(QStringLiteral(PARLEY_HUB_PROGRAM), { QStringLiteral("--help") });
    QVERIFY(hub.waitForFinished(15'000));
    const QString help = QString::fromLocal8Bit(hub.readAllStandardOutput());
    QVERIFY2(help.contains(QLatin1String("--password-file <file>")), qPrintable(help));
    QVERIFY2(help.contains(QLatin1String("process list")), qPrintable(help));
}

QTEST_GUILESS_MAIN(tst_HubLocal)
#include "tst_hublocal.moc"
