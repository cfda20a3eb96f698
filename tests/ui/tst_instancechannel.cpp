// The instance socket (App::InstanceChannel) carries the user's invite links to the app already
// running, so it must reach this user's app and nobody else's: it is in $XDG_RUNTIME_DIR, or in
// a folder of its own in the temporary folder that is this user's, 0700 and no symlink, never at
// a name another account can take first; and both ends check the uid at the other end. Another
// account is played by a child process that drops to `nobody` (run as root); as another user
// the test cannot be a second account, and checks the uid decision on its own.

#include "parley/instancechannel.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QLocalServer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

using Parley::App::InstanceChannel;

namespace {

constexpr int waitMs = 10'000;
const QString settingsFile = QStringLiteral("/home/ana/.config/Parley/parley.conf");
const QString inviteLink = QStringLiteral("parley://127.0.0.1:4000/?hub=a&fp=b&room=secret");

int modeOf(const QString &path)
{
    struct stat info = {};
    return ::lstat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777)
                                                                    : -1;
}

// The name every version before this one used: a bare name, so in the shared temporary folder.
QString oldSharedName()
{
    return QStringLiteral("parley-")
        + QString::fromLatin1(
               QCryptographicHash::hash(settingsFile.toUtf8(), QCryptographicHash::Sha256)
                   .toHex()
                   .left(24));
}

QByteArray messageOf(const QStringList &arguments) // what a start sends: a QDataStream list
{
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    out << arguments;
    return bytes;
}

struct Account
{
    uid_t uid;
    gid_t gid;
};

bool isRoot()
{
    return ::geteuid() == 0;
}

Account nobody()
{
    const passwd *entry = ::getpwnam("nobody");
    return entry ? Account { entry->pw_uid, entry->pw_gid } : Account { 65534, 65534 };
}

// A child process at the other end of the socket, as this user or (root only) as another
// account. It uses system calls only (it is a fork of a threaded program), reports through a
// pipe, ends by itself (alarm) and is killed and reaped when this goes.
class Peer
{
public:
    ~Peer()
    {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        if (m_report >= 0)
            ::close(m_report);
    }

    // Listens at `path` (bound before it drops to `account`, so the name is where the app looks;
    // listening after, so the kernel names `account` as the peer). Reports 'L' once listening,
    // then the number of bytes the first connection sent before it closed.
    bool listenAt(const QString &path, std::optional<Account> account)
    {
        const sockaddr_un address = addressOf(path);
        return fork([&](int report) {
            const int server = ::socket(AF_UNIX, SOCK_STREAM, 0);
            if (server < 0
                || ::bind(server, reinterpret_cast<const sockaddr *>(&address), sizeof address)
                    != 0)
                return 10;
            if (account && !become(*account))
                return 11;
            if (::listen(server, 4) != 0)
                return 12;
            const char ready = 'L';
            if (::write(report, &ready, 1) != 1)
                return 13;
            const int connection = ::accept(server, nullptr, nullptr);
            if (connection < 0)
                return 14;
            int total = 0;
            char buffer[4096];
            ssize_t got = 0;
            while ((got = ::read(connection, buffer, sizeof buffer)) > 0) {
                total += int(got);
                if (::send(connection, "ok", 2, MSG_NOSIGNAL) != 2) // answers as the app would
                    break;
            }
            return ::write(report, &total, sizeof total) == sizeof total ? 0 : 15;
        });
    }

    // Connects to `path` as `account` (or this user), sends `message`; exits 0 if answered "ok".
    bool sendTo(const QString &path, const QByteArray &message, std::optional<Account> account)
    {
        const sockaddr_un address = addressOf(path);
        return fork([&](int) {
            if (account && !become(*account))
                return 11;
            const int socket = ::socket(AF_UNIX, SOCK_STREAM, 0);
            if (socket < 0
                || ::connect(socket, reinterpret_cast<const sockaddr *>(&address), sizeof address)
                    != 0)
                return 10;
            // Refused at once, the write may fail: that is not being answered either.
            if (::send(socket, message.constData(), size_t(message.size()), MSG_NOSIGNAL)
                != message.size())
                return 1;
            char answer[2] = {};
            return ::read(socket, answer, 2) == 2 && answer[0] == 'o' && answer[1] == 'k' ? 0 : 1;
        });
    }

    // The next report, waiting for it up to waitMs; nullopt if none came.
    template<typename T> std::optional<T> report()
    {
        pollfd ready { m_report, POLLIN, 0 };
        T value {};
        if (::poll(&ready, 1, waitMs) != 1
            || ::read(m_report, &value, sizeof value) != sizeof value)
            return std::nullopt;
        return value;
    }

    // The exit code once it ended, the event loop running meanwhile; -1 if it did not end.
    int exitCode()
    {
        int status = 0;
        const bool ended
            = QTest::qWaitFor([&] { return ::waitpid(m_pid, &status, WNOHANG) == m_pid; }, waitMs);
        if (!ended)
            return -1;
        m_pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

private:
    static sockaddr_un addressOf(const QString &path)
    {
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        const QByteArray native = QFile::encodeName(path);
        std::memcpy(address.sun_path, native.constData(),
                    std::min(size_t(native.size()), sizeof address.sun_path - 1));
        return address;
    }

    static bool become(const Account &account)
    {
        return ::setgroups(0, nullptr) == 0 && ::setgid(account.gid) == 0
            && ::setuid(account.uid) == 0;
    }

    template<typename Body> bool fork(Body body)
    {
        int pipe[2];
        if (::pipe2(pipe, O_CLOEXEC) != 0)
            return false;
        m_pid = ::fork();
        if (m_pid == 0) {
            ::alarm(20); // whatever happens, it ends
            ::close(pipe[0]);
            ::_exit(body(pipe[1]));
        }
        ::close(pipe[1]);
        m_report = pipe[0];
        return m_pid > 0;
    }

    pid_t m_pid = -1;
    int m_report = -1;
};

} // namespace

class tst_InstanceChannel : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void theSocketIsInTheRuntimeFolder();
    void handsALinkToTheRunningInstanceOfThisUser();
    void takesALinkFromThisUser();
    void aSquatterAtTheOldSharedNameGetsNothing_data();
    void aSquatterAtTheOldSharedNameGetsNothing();
    void fallsBackToAFolderOfItsOwnInTemp_data();
    void fallsBackToAFolderOfItsOwnInTemp();
    void refusesAnUnsafeFolderInTemp_data();
    void refusesAnUnsafeFolderInTemp();
    void neverHandsALinkToAnotherUser();
    void dropsALinkFromAnotherUser();
    void peerUidIsWhoIsAtTheOtherEnd();

private:
    void useRuntimeFolder(const QString &path);

    std::unique_ptr<QTemporaryDir> m_runtime; // 0700, this user's: a good XDG_RUNTIME_DIR
    std::unique_ptr<QTemporaryDir> m_temp; // stands in for the shared temporary folder
    QByteArray m_savedRuntime;
    QByteArray m_savedTemp;
};

void tst_InstanceChannel::init()
{
    m_savedRuntime = qgetenv("XDG_RUNTIME_DIR");
    m_savedTemp = qgetenv("TMPDIR");
    m_runtime = std::make_unique<QTemporaryDir>();
    m_temp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_runtime->isValid() && m_temp->isValid());
    QVERIFY(::chmod(QFile::encodeName(m_temp->path()).constData(), 01777) == 0); // like /tmp
    qputenv("TMPDIR", QFile::encodeName(m_temp->path()));
    useRuntimeFolder(m_runtime->path());
}

void tst_InstanceChannel::cleanup()
{
    qputenv("XDG_RUNTIME_DIR", m_savedRuntime);
    if (m_savedRuntime.isNull())
        qunsetenv("XDG_RUNTIME_DIR");
    qputenv("TMPDIR", m_savedTemp);
    if (m_savedTemp.isNull())
        qunsetenv("TMPDIR");
    m_runtime.reset();
    m_temp.reset();
}

void tst_InstanceChannel::useRuntimeFolder(const QString &path)
{
    if (path.isNull())
        qunsetenv("XDG_RUNTIME_DIR");
    else
        qputenv("XDG_RUNTIME_DIR", QFile::encodeName(path));
}

void tst_InstanceChannel::theSocketIsInTheRuntimeFolder()
{
    InstanceChannel channel(settingsFile);
    QCOMPARE(QFileInfo(channel.name()).absolutePath(), m_runtime->path());
    QString error;
    QVERIFY2(channel.listen(&error), qPrintable(error));
    QCOMPARE(modeOf(m_runtime->path()), 0700);
    // Another settings file is another app: its own name.
    QVERIFY(InstanceChannel(QStringLiteral("/elsewhere/parley.ini")).name() != channel.name());
}

void tst_InstanceChannel::handsALinkToTheRunningInstanceOfThisUser()
{
    InstanceChannel channel(settingsFile);
    Peer running;
    QVERIFY(running.listenAt(channel.name(), std::nullopt));
    QCOMPARE(running.report<char>().value_or('-'), 'L');
    QVERIFY(channel.handToRunning({ inviteLink }));
    QCOMPARE(running.report<int>().value_or(-1), int(messageOf({ inviteLink }).size()));
}

void tst_InstanceChannel::takesALinkFromThisUser()
{
    InstanceChannel channel(settingsFile);
    QSignalSpy received(&channel, &InstanceChannel::received);
    QString error;
    QVERIFY2(channel.listen(&error), qPrintable(error));
    Peer start;
    QVERIFY(start.sendTo(channel.name(), messageOf({ inviteLink }), std::nullopt));
    QCOMPARE(start.exitCode(), 0); // answered "ok"
    QCOMPARE(received.size(), 1);
    QCOMPARE(received.first().first().toStringList(), QStringList { inviteLink });
}

void tst_InstanceChannel::aSquatterAtTheOldSharedNameGetsNothing_data()
{
    QTest::addColumn<bool>("runtimeFolder");
    QTest::addRow("with XDG_RUNTIME_DIR") << true;
    QTest::addRow("without") << false;
}

void tst_InstanceChannel::aSquatterAtTheOldSharedNameGetsNothing()
{
    // Another local account takes the name the app used first, in the shared temporary folder,
    // as anyone can; it would answer "ok" to be handed the user's links.
    QFETCH(bool, runtimeFolder);
    if (!runtimeFolder)
        useRuntimeFolder({});
    QLocalServer squatter;
    squatter.setSocketOptions(QLocalServer::WorldAccessOption);
    QVERIFY2(squatter.listen(oldSharedName()), qPrintable(squatter.errorString()));
    QCOMPARE(QFileInfo(squatter.fullServerName()).absolutePath(), m_temp->path());

    InstanceChannel channel(settingsFile);
    QVERIFY(!channel.name().isEmpty());
    QVERIFY(channel.name() != squatter.fullServerName());
    QVERIFY(
        !channel.handToRunning({ inviteLink }, 500)); // nobody of this user runs: start normally
    QCoreApplication::processEvents();
    QVERIFY(!squatter.hasPendingConnections());
    QString error;
    QVERIFY2(channel.listen(&error), qPrintable(error)); // and it becomes the running one
}

void tst_InstanceChannel::fallsBackToAFolderOfItsOwnInTemp_data()
{
    QTest::addColumn<QString>("runtime"); // null: XDG_RUNTIME_DIR unset
    QTest::addColumn<int>("runtimeMode");
    QTest::addRow("unset") << QString() << 0;
    QTest::addRow("relative") << QStringLiteral("run/user") << 0;
    QTest::addRow("open to others") << QStringLiteral("open") << 0755;
    QTest::addRow("missing") << QStringLiteral("missing") << 0;
}

void tst_InstanceChannel::fallsBackToAFolderOfItsOwnInTemp()
{
    QFETCH(QString, runtime);
    QFETCH(int, runtimeMode);
    if (runtimeMode) {
        runtime = m_runtime->filePath(runtime);
        QVERIFY(QDir().mkpath(runtime));
        QVERIFY(::chmod(QFile::encodeName(runtime).constData(), mode_t(runtimeMode)) == 0);
    } else if (runtime == QLatin1String("missing")) {
        runtime = m_runtime->filePath(runtime);
    }
    useRuntimeFolder(runtime);
    InstanceChannel channel(settingsFile);
    const QString folder
        = QDir(m_temp->path()).filePath(QStringLiteral("parley-%1").arg(::geteuid()));
    QVERIFY(!QFileInfo::exists(folder)); // made when the channel is first used, not before
    QCOMPARE(QFileInfo(channel.name()).absolutePath(), folder);
    QCOMPARE(modeOf(folder), 0700);
    QCOMPARE(QFileInfo(folder).ownerId(), ::geteuid());
    QString error;
    QVERIFY2(channel.listen(&error), qPrintable(error));
    Peer start;
    QVERIFY(start.sendTo(channel.name(), messageOf({}), std::nullopt));
    QCOMPARE(start.exitCode(), 0);
}

void tst_InstanceChannel::refusesAnUnsafeFolderInTemp_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addRow("a symlink to a folder of this user") << QStringLiteral("symlink");
    QTest::addRow("a folder others may enter") << QStringLiteral("open");
    QTest::addRow("a file") << QStringLiteral("file");
    if (isRoot())
        QTest::addRow("a folder of another account") << QStringLiteral("other");
}

void tst_InstanceChannel::refusesAnUnsafeFolderInTemp()
{
    // Someone made the fallback name first (the temporary folder is everyone's).
    QFETCH(QString, kind);
    useRuntimeFolder({});
    const QString name
        = QDir(m_temp->path()).filePath(QStringLiteral("parley-%1").arg(::geteuid()));
    const QByteArray native = QFile::encodeName(name);
    if (kind == QLatin1String("symlink")) {
        QVERIFY(QFile::link(m_runtime->path(), name));
    } else if (kind == QLatin1String("file")) {
        QFile file(name);
        QVERIFY(file.open(QIODevice::WriteOnly));
    } else {
        QVERIFY(::mkdir(native.constData(), 0700) == 0);
        if (kind == QLatin1String("open"))
            QVERIFY(::chmod(native.constData(), 0777) == 0);
        else
            QVERIFY(::chown(native.constData(), nobody().uid, nobody().gid) == 0);
    }
    InstanceChannel channel(settingsFile);
    QVERIFY(channel.name().isEmpty());
    QVERIFY(!channel.handToRunning({ inviteLink }, 500));
    QString error;
    QVERIFY(!channel.listen(&error));
    QVERIFY(error.contains(name));
    QVERIFY(QDir(m_runtime->path()).isEmpty()); // nothing went through the symlink
}

void tst_InstanceChannel::neverHandsALinkToAnotherUser()
{
    InstanceChannel channel(settingsFile);
    if (!isRoot()) {
        QVERIFY(!InstanceChannel::isSameUser(::geteuid() + 1, ::geteuid()));
        return;
    }
    // A listener of another account at the very name (as root could put there): the app
    // connects, sees the uid, and sends nothing; then it takes the name over and runs.
    Peer squatter;
    QVERIFY(squatter.listenAt(channel.name(), nobody()));
    QCOMPARE(squatter.report<char>().value_or('-'), 'L');
    QVERIFY(!channel.handToRunning({ inviteLink }));
    QCOMPARE(squatter.report<int>().value_or(-1), 0); // it was connected to, and got nothing
    QString error;
    QVERIFY2(channel.listen(&error), qPrintable(error));
}

void tst_InstanceChannel::dropsALinkFromAnotherUser()
{
    InstanceChannel channel(settingsFile);
    if (!isRoot()) {
        QVERIFY(!InstanceChannel::isSameUser(std::nullopt, ::geteuid()));
        return;
    }
    QSignalSpy received(&channel, &InstanceChannel::received);
    QString error;
    QVERIFY2(channel.listen(&error), qPrintable(error));
    // As if the folder and socket had been opened to everyone: only the uid check is left.
    QVERIFY(::chmod(QFile::encodeName(m_runtime->path()).constData(), 0711) == 0);
    QVERIFY(::chmod(QFile::encodeName(channel.name()).constData(), 0666) == 0);
    Peer other;
    QVERIFY(other.sendTo(channel.name(), messageOf({ inviteLink }), nobody()));
    QCOMPARE(other.exitCode(), 1); // connected, never answered "ok"
    QCOMPARE(received.size(), 0);
}

void tst_InstanceChannel::peerUidIsWhoIsAtTheOtherEnd()
{
    int pair[2];
    QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
    QCOMPARE(InstanceChannel::peerUid(pair[0]).value_or(uint(-1)), uint(::geteuid()));
    QCOMPARE(InstanceChannel::peerUid(pair[1]).value_or(uint(-1)), uint(::geteuid()));
    ::close(pair[0]);
    ::close(pair[1]);
    int pipe[2];
    QVERIFY(::pipe2(pipe, O_CLOEXEC) == 0);
    QVERIFY(!InstanceChannel::peerUid(pipe[0])); // not a socket
    ::close(pipe[0]);
    ::close(pipe[1]);
    QVERIFY(!InstanceChannel::peerUid(-1));

    QVERIFY(InstanceChannel::isSameUser(1000, 1000));
    QVERIFY(!InstanceChannel::isSameUser(0, 1000));
    QVERIFY(!InstanceChannel::isSameUser(1000, 0));
    QVERIFY(!InstanceChannel::isSameUser(std::nullopt, 1000));
}

QTEST_GUILESS_MAIN(tst_InstanceChannel)
#include "tst_instancechannel.moc"
