#include "client/hubinforequest.h"

#include "client/hubaddress.h"

#include <QNetworkProxy>
#include <QTcpSocket>

namespace Parley::Client {

namespace {
constexpr qsizetype maxResponseBytes = 16 * 1024;
} // namespace

HubInfoRequest::HubInfoRequest(const QUrl &mountUrl, int timeoutMs, QObject *parent)
    : QObject(parent)
    , m_mountUrl(mountUrl)
    , m_socket(new QTcpSocket(this))
{
    m_socket->setProxy(QNetworkProxy::NoProxy); // a LAN hub, asked directly like the WebSocket
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(timeoutMs);
    connect(&m_timeout, &QTimer::timeout, this,
            [this] { fail(tr("the hub did not say which hub it is")); });
    connect(m_socket, &QTcpSocket::connected, this, [this] {
        m_socket->write("GET /hub HTTP/1.1\r\nHost: " + hubAddressText(m_mountUrl).toUtf8()
                        + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n");
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &HubInfoRequest::onReadyRead);
    connect(m_socket, &QTcpSocket::disconnected, this, &HubInfoRequest::onDisconnected);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (error == QAbstractSocket::RemoteHostClosedError)
            return onDisconnected(); // the end of the answer
        fail(m_socket->errorString());
    });
}

HubInfoRequest::~HubInfoRequest()
{
    m_socket->disconnect(this);
    m_socket->abort();
}

void HubInfoRequest::start()
{
    m_timeout.start();
    m_socket->connectToHost(m_mountUrl.host(), quint16(m_mountUrl.port(defaultHubPort)));
}

void HubInfoRequest::onReadyRead()
{
    m_response += m_socket->read(maxResponseBytes + 1 - m_response.size());
    if (m_response.size() > maxResponseBytes)
        fail(tr("the hub's answer is too long"));
}

void HubInfoRequest::onDisconnected()
{
    if (!m_done) {
        m_response += m_socket->readAll().left(maxResponseBytes);
        finishWith(m_response);
    }
}

void HubInfoRequest::finishWith(const QByteArray &response)
{
    const qsizetype end = response.indexOf("\r\n\r\n");
    const QByteArray statusLine = response.left(response.indexOf("\r\n"));
    if (end < 0 || !statusLine.startsWith("HTTP/1.") || statusLine.mid(9, 3) != "200")
        return fail(tr("not a Parley hub, or one too old to say which hub it is"));
    const std::optional<Protocol::HubInfo> info
        = Protocol::HubInfo::fromJson(response.mid(end + 4));
    if (!info)
        return fail(tr("the hub's answer is not valid"));
    m_done = true;
    m_timeout.stop();
    emit answered(*info);
}

void HubInfoRequest::fail(const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();
    m_socket->abort();
    emit failed(error);
}

} // namespace Parley::Client
