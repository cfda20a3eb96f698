#include "hub/beacon.h"

#include "hub/logging.h"
#include "protocol/discovery.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkDatagram>
#include <QUdpSocket>

#include <algorithm>

namespace Parley::Hub {

Beacon::Beacon(DiscoveryMode mode, std::function<BeaconInfo()> info, QObject *parent)
    : QObject(parent)
    , m_mode(mode)
    , m_info(std::move(info))
{
    m_timer.setInterval(m_intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &Beacon::announceNow);
}

Beacon::~Beacon() = default;

void Beacon::setIntervalMs(int ms)
{
    m_intervalMs = std::max(ms, 10);
    m_timer.setInterval(m_intervalMs);
}

QByteArray Beacon::datagram(const BeaconInfo &info)
{
    QJsonObject object {
        { QLatin1String("parley"), 1 },          { QLatin1String("hub_id"), info.hubId },
        { QLatin1String("name"), info.name },    { QLatin1String("port"), int(info.port) },
        { QLatin1String("rooms"), info.rooms },  { QLatin1String("users"), info.users },
        { QLatin1String("locked"), info.locked }, { QLatin1String("tls"), !info.fingerprint.isEmpty() }
    };
    if (!info.fingerprint.isEmpty())
        object.insert(QLatin1String("fp"), info.fingerprint);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

bool Beacon::isQuery(const QByteArray &datagram)
{
    const QJsonObject object = QJsonDocument::fromJson(datagram).object();
    return object.value(QLatin1String("parley")).toInt() == 1
        && object.value(QLatin1String("query")).toBool();
}

bool Beacon::start(QString *error)
{
    stop();
    if (m_mode == DiscoveryMode::Off)
        return true;
    m_socket = new QUdpSocket(this);
    // Any IPv4 address: a socket bound to 127.0.0.1 would not hear 127.255.255.255.
    if (!m_socket->bind(QHostAddress::AnyIPv4, m_port,
                        QUdpSocket::ShareAddress | QUdpSocket::ReuseAddressHint)) {
        if (error)
            *error = m_socket->errorString();
        qCWarning(lcHub) << "beacon cannot bind UDP" << m_port << m_socket->errorString();
        delete m_socket;
        m_socket = nullptr;
        return false;
    }
    connect(m_socket, &QUdpSocket::readyRead, this, &Beacon::onReadyRead);
    m_timer.start();
    announceNow();
    return true;
}

void Beacon::stop()
{
    m_timer.stop();
    delete m_socket;
    m_socket = nullptr;
}

bool Beacon::isRunning() const
{
    return m_socket != nullptr;
}

void Beacon::announceNow()
{
    if (!m_socket || !m_info)
        return;
    const QByteArray bytes = datagram(m_info());
    const QList<QHostAddress> addresses = Protocol::Discovery::targets(m_mode);
    for (const QHostAddress &address : addresses) {
        if (m_socket->writeDatagram(bytes, address, m_port) < 0)
            qCDebug(lcHub) << "beacon to" << address << "failed:" << m_socket->errorString();
    }
}

void Beacon::onReadyRead()
{
    bool answer = false;
    QList<QNetworkDatagram> direct;
    while (m_socket && m_socket->hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_socket->receiveDatagram(2048);
        if (!isQuery(datagram.data()))
            continue;
        bool isV4 = false;
        const quint32 v4 = datagram.senderAddress().toIPv4Address(&isV4);
        if (m_mode == DiscoveryMode::Loopback && !(isV4 && (v4 >> 24) == 127))
            continue;
        answer = true;
        // A querier on another port (a script, not a listener) hears only a direct answer.
        if (datagram.senderPort() != m_port && direct.size() < 16)
            direct.append(datagram);
    }
    if (!answer)
        return;
    // One announcement to the targets answers every query of this batch and reaches every
    // listener on the port (a unicast to the port would reach only one of the shared sockets).
    announceNow();
    if (direct.isEmpty() || !m_info)
        return;
    const QByteArray bytes = datagram(m_info());
    for (const QNetworkDatagram &query : std::as_const(direct))
        m_socket->writeDatagram(query.makeReply(bytes));
}

} // namespace Parley::Hub
