#include "parley/instancechannel.h"

#include "parley/logging.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QLocalSocket>

namespace Parley::App {

namespace {
constexpr int maxMessageBytes = 64 * 1024;
} // namespace

InstanceChannel::InstanceChannel(const QString &settingsFile, QObject *parent)
    : QObject(parent)
    , m_name(QStringLiteral("parley-")
             + QString::fromLatin1(
                 QCryptographicHash::hash(settingsFile.toUtf8(), QCryptographicHash::Sha256)
                     .toHex()
                     .left(24)))
{
    m_server.setSocketOptions(QLocalServer::UserAccessOption); // this user only
    connect(&m_server, &QLocalServer::newConnection, this, [this] {
        while (QLocalSocket *socket = m_server.nextPendingConnection()) {
            connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
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
    });
}

bool InstanceChannel::handToRunning(const QStringList &arguments, int timeoutMs)
{
    QLocalSocket socket;
    socket.connectToServer(m_name);
    if (!socket.waitForConnected(timeoutMs))
        return false;
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
    if (m_server.listen(m_name))
        return true;
    // A name left behind by an instance that crashed: nobody answered handToRunning().
    QLocalServer::removeServer(m_name);
    if (m_server.listen(m_name))
        return true;
    if (error)
        *error = m_server.errorString();
    qCWarning(lcApp) << "cannot listen for other starts of the app:" << m_server.errorString();
    return false;
}

} // namespace Parley::App
