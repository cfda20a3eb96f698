#include "parley/instancechannel.h"

#include "parley/logging.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDir>
#include <QFile>
#include <QLocalSocket>

#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Parley::App {

namespace {

constexpr int maxMessageBytes = 64 * 1024;

// Whether `path` is a folder of `uid` that nobody else may enter; *why if not. With
// `followLinks` false a symlink is refused (in the shared temporary folder anyone could have
// put one there).
bool isPrivateFolder(const QString &path, uid_t uid, bool followLinks, QString *why)
{
    const QByteArray native = QFile::encodeName(path);
    struct stat info;
    if ((followLinks ? ::stat(native.constData(), &info) : ::lstat(native.constData(), &info))
        != 0) {
        *why = QStringLiteral("%1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno)));
        return false;
    }
    if (!S_ISDIR(info.st_mode))
        *why = QStringLiteral("%1 is not a folder").arg(path);
    else if (info.st_uid != uid)
        *why = QStringLiteral("%1 belongs to uid %2, not to this user").arg(path).arg(info.st_uid);
    else if ((info.st_mode & 077) != 0)
        *why = QStringLiteral("others may enter %1 (mode %2)")
                   .arg(path)
                   .arg(info.st_mode & 0777, 3, 8, QLatin1Char('0'));
    else
        return true;
    return false;
}

// A folder for the socket that only this user may enter, or empty with *why.
QString socketFolder(QString *why)
{
    const uid_t self = ::geteuid();
    QString reason;
    const QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (!runtime.isEmpty()) {
        if (!QDir::isAbsolutePath(runtime))
            reason = QStringLiteral("%1 is not an absolute path").arg(runtime);
        else if (isPrivateFolder(runtime, self, true, &reason))
            return QDir::cleanPath(runtime);
        qCInfo(lcApp).noquote() << "XDG_RUNTIME_DIR is not used:" << reason;
    }
    // In the shared temporary folder anyone may have made the name first: it is used only if it
    // is, after the attempt to make it, a real folder of this user's that only it may enter.
    const QString fallback = QDir(QDir::tempPath()).filePath(QStringLiteral("parley-%1").arg(self));
    ::mkdir(QFile::encodeName(fallback).constData(), 0700);
    if (isPrivateFolder(fallback, self, false, &reason))
        return fallback;
    *why = reason;
    return {};
}

} // namespace

InstanceChannel::InstanceChannel(const QString &settingsFile, QObject *parent)
    : QObject(parent)
    , m_settingsFile(settingsFile)
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption); // this user only
    connect(&m_server, &QLocalServer::newConnection, this, &InstanceChannel::onNewConnection);
}

QString InstanceChannel::name() const
{
    if (m_name)
        return *m_name;
    const QString folder = socketFolder(&m_unusable);
    if (folder.isEmpty()) {
        qCWarning(lcApp).noquote()
            << QStringLiteral("no private folder for the app's instance socket (%1): every start "
                              "runs on its own")
                   .arg(m_unusable);
        m_name = QString();
    } else {
        m_name = QDir(folder).filePath(
            QStringLiteral("parley-")
            + QString::fromLatin1(
                QCryptographicHash::hash(m_settingsFile.toUtf8(), QCryptographicHash::Sha256)
                    .toHex()
                    .left(24)));
    }
    return *m_name;
}

void InstanceChannel::onNewConnection()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        const std::optional<uint> peer = peerUid(socket->socketDescriptor());
        if (!isSameUser(peer, ::geteuid())) {
            qCWarning(lcApp) << "refused a connection to the instance socket from uid"
                             << (peer ? qlonglong(*peer) : -1) << "(not this user)";
            socket->abort();
            socket->deleteLater();
            continue;
        }
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
            if (socket->bytesAvailable() > maxMessageBytes) {
                socket->abort();
                return;
            }
            QDataStream in(socket);
            in.startTransaction();
            QStringList arguments;
            in >> arguments;
            if (!in.commitTransaction())
                return; // the rest is still on its way
            socket->write("ok");
            socket->flush();
            emit received(arguments);
        });
    }
}

bool InstanceChannel::handToRunning(const QStringList &arguments, int timeoutMs)
{
    const QString path = name();
    if (path.isEmpty())
        return false;
    QLocalSocket socket;
    socket.connectToServer(path);
    if (!socket.waitForConnected(timeoutMs))
        return false;
    const std::optional<uint> peer = peerUid(socket.socketDescriptor());
    if (!isSameUser(peer, ::geteuid())) {
        qCWarning(lcApp).noquote()
            << QStringLiteral(
                   "not handing this start to %1: it is held by uid %2, not by this user")
                   .arg(path)
                   .arg(peer ? qlonglong(*peer) : -1);
        socket.abort();
        return false;
    }
    QByteArray message;
    QDataStream out(&message, QIODevice::WriteOnly);
    out << arguments;
    socket.write(message);
    if (!socket.waitForBytesWritten(timeoutMs) || !socket.waitForReadyRead(timeoutMs))
        return false;
    return socket.readAll() == "ok";
}

bool InstanceChannel::listen(QString *error)
{
    const QString path = name();
    if (path.isEmpty()) {
        if (error)
            *error = QStringLiteral("no private folder for the socket: ") + m_unusable;
        return false;
    }
    if (m_server.listen(path))
        return true;
    // A name left behind by an instance that crashed, or held by a process that is not this
    // user's (handToRunning() sent it nothing): in this user's own folder it may go.
    QLocalServer::removeServer(path);
    if (m_server.listen(path))
        return true;
    if (error)
        *error = m_server.errorString();
    qCWarning(lcApp) << "cannot listen for other starts of the app:" << m_server.errorString();
    return false;
}

std::optional<uint> InstanceChannel::peerUid(qintptr descriptor)
{
    struct ucred credentials = {};
    socklen_t size = sizeof credentials;
    if (descriptor < 0
        || ::getsockopt(int(descriptor), SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0
        || size != sizeof credentials)
        return std::nullopt;
    return uint(credentials.uid);
}

bool InstanceChannel::isSameUser(std::optional<uint> peer, uint self)
{
    return peer && *peer == self;
}

} // namespace Parley::App
