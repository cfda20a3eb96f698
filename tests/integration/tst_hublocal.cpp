// What another account on the hub's computer could read: the hub's data directory is 0700 and
// its SQLite database with its -wal and -shm 0600, also when an older version left them 0755 and
// 0644.

#include "hub/hub.h"
#include "rawphoenixclient.h"
#include "testhub.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Parley;
using Parley::Testing::RawPhoenixClient;
using Parley::Testing::TestHub;

namespace {

int modeOf(const QString &path) // the permission bits, e.g. 0600; -1 if there is no such file
{
    struct stat info = {};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777) : -1;
}

bool setMode(const QString &path, int mode)
{
    return ::chmod(QFile::encodeName(path).constData(), mode_t(mode)) == 0;
}

// The usual umask (022: files 0644, folders 0755) for one scope, whatever the test runner's.
class UsualUmask
{
public:
    UsualUmask()
        : m_old(::umask(022))
    {
    }
    ~UsualUmask() { ::umask(m_old); }

private:
    mode_t m_old;
};

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

// A signed connect to `hub`: accepted?
bool connectAccepted(const QUrl &hub)
{
    const QUrlQuery query
        = RawPhoenixClient::params(QStringLiteral("local-ana"), QStringLiteral("Ana"));
    RawPhoenixClient client;
    client.open(RawPhoenixClient::socketUrl(hub, query));
    return client.waitForOpen() && client.roundTrip();
}

} // namespace

class tst_HubLocal : public QObject
{
    Q_OBJECT
private slots:
    void dataFilesAreOwnerOnly();
    void readableDataFilesAreNarrowedAtStart();

private:
    QTemporaryDir m_dir;
};

void tst_HubLocal::dataFilesAreOwnerOnly()
{
    const UsualUmask umask;
    const QString dataDir = m_dir.filePath(QStringLiteral("new/data"));
    TestHub hub(settingsWithData(dataDir));
    QVERIFY(hub.start());
    QVERIFY(connectAccepted(hub.url())); // the hub is in use: WAL and its index are open
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
    const UsualUmask umask;
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
    QVERIFY(connectAccepted(again.url()));
    QCOMPARE(modeOf(dataDir), 0700);
    QCOMPARE(modeOf(db), 0600);
    QCOMPARE(modeOf(db + QStringLiteral("-wal")), 0600);
    QCOMPARE(modeOf(db + QStringLiteral("-shm")), 0600);
}

QTEST_GUILESS_MAIN(tst_HubLocal)
#include "tst_hublocal.moc"
