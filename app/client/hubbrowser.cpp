#include "client/hubbrowser.h"

#include "client/logging.h"
#include "protocol/discovery.h"
#include "protocol/fingerprint.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QNetworkDatagram>
#include <QUdpSocket>

#include <algorithm>

namespace Parley::Client {

namespace {

const QByteArray QueryDatagram = QByteArrayLiteral(R"({"parley":1,"query":true})");

bool isLoopbackSender(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4); // also for ::ffff:127.x
    return isV4 ? (v4 >> 24) == 127 : address.isLoopback();
}

} // namespace

std::optional<DiscoveredHub> DiscoveredHub::fromDatagram(const QByteArray &datagram,
                                                         const QHostAddress &sender)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(datagram, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    const QJsonObject object = document.object();
    if (object.value(QLatin1String("parley")).toInt() != 1
        || object.value(QLatin1String("query")).toBool())
        return std::nullopt;
    const QJsonValue hubId = object.value(QLatin1String("hub_id"));
    const QJsonValue port = object.value(QLatin1String("port"));
    if (!hubId.isString() || hubId.toString().isEmpty() || !port.isDouble())
        return std::nullopt;
    const int portNumber = port.toInt();
    if (portNumber < 1 || portNumber > 65535)
        return std::nullopt;
    DiscoveredHub hub;
    hub.hubId = hubId.toString().left(128);
    hub.name = object.value(QLatin1String("name")).toString().left(128);
    hub.address = sender;
    bool isV4 = false;
    const quint32 v4 = sender.toIPv4Address(&isV4);
    if (isV4)
        hub.address = QHostAddress(v4); // ::ffff:a.b.c.d → a.b.c.d
    hub.port = quint16(portNumber);
    hub.rooms = object.value(QLatin1String("rooms")).toInt();
    hub.users = object.value(QLatin1String("users")).toInt();
    hub.locked = object.value(QLatin1String("locked")).toBool();
    hub.tls = object.value(QLatin1String("tls")).toBool();
    hub.fingerprint = Protocol::Fingerprint::normalized(object.value(QLatin1String("fp")).toString());
    if (hub.tls && hub.fingerprint.isEmpty())
        return std::nullopt; // a wss:// hub that does not say which certificate is its own
    hub.lastSeenMs = QDateTime::currentMSecsSinceEpoch();
    return hub;
}

QString DiscoveredHub::key() const
{
    return hubId + QLatin1Char(' ') + address.toString() + QLatin1Char(':') + QString::number(port)
        + QLatin1Char(' ') + (tls ? fingerprint : QStringLiteral("plain"));
}

QUrl DiscoveredHub::mountUrl() const
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4); // also unwraps ::ffff:a.b.c.d
    QUrl url;
    url.setScheme(tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(isV4 ? QHostAddress(v4).toString() : address.toString());
    url.setPort(port);
    url.setPath(QStringLiteral("/socket"));
    return url;
}

HubBrowser::HubBrowser(QObject *parent)
    : QObject(parent)
{
    m_expiryTimer.setInterval(m_expiryMs / 7);
    connect(&m_expiryTimer, &QTimer::timeout, this, &HubBrowser::expire);
}

HubBrowser::~HubBrowser() = default;

void HubBrowser::setExpiryMs(int ms)
{
    m_expiryMs = std::max(ms, 10);
    m_expiryTimer.setInterval(std::max(m_expiryMs / 7, 5));
}

void HubBrowser::start(DiscoveryMode mode)
{
    stop();
    m_mode = mode;
    m_error.clear();
    if (mode == DiscoveryMode::Off)
        return;
    m_socket = new QUdpSocket(this);
    // Bound to any IPv4 address: a socket bound to 127.0.0.1 would not get 127.255.255.255.
    if (!m_socket->bind(QHostAddress::AnyIPv4, m_port,
                        QUdpSocket::ShareAddress | QUdpSocket::ReuseAddressHint)) {
        m_error = m_socket->errorString();
        qCWarning(lcClient) << "hub browser cannot listen on UDP" << m_port << m_error;
        delete m_socket;
        m_socket = nullptr;
        return;
    }
    connect(m_socket, &QUdpSocket::readyRead, this, &HubBrowser::onReadyRead);
    m_expiryTimer.start();
    query();
}

void HubBrowser::stop()
{
    m_expiryTimer.stop();
    delete m_socket;
    m_socket = nullptr;
    if (!m_hubs.isEmpty()) {
        m_hubs.clear();
        emit hubsChanged();
    }
}

bool HubBrowser::isListening() const
{
    return m_socket && m_socket->state() == QAbstractSocket::BoundState;
}

void HubBrowser::query()
{
    if (!m_socket)
        return;
    const QList<QHostAddress> addresses = Protocol::Discovery::targets(m_mode, m_includeVirtual);
    for (const QHostAddress &address : addresses) {
        if (m_socket->writeDatagram(QueryDatagram, address, m_port) < 0)
            qCDebug(lcClient) << "discovery query to" << address
                              << "failed:" << m_socket->errorString();
    }
}

void HubBrowser::setIncludeVirtual(bool include)
{
    if (include == m_includeVirtual)
        return;
    m_includeVirtual = include;
    query();
}

QList<DiscoveredHub> HubBrowser::hubs() const
{
    QList<DiscoveredHub> list = m_hubs.values();
    std::sort(list.begin(), list.end(), [](const DiscoveredHub &a, const DiscoveredHub &b) {
        const int c = a.name.compare(b.name, Qt::CaseInsensitive);
        return c != 0 ? c < 0 : a.key() < b.key();
    });
    return list;
}

void HubBrowser::onReadyRead()
{
    bool changed = false;
    while (m_socket && m_socket->hasPendingDatagrams()) {
        const QNetworkDatagram datagram = m_socket->receiveDatagram(8192);
        if (m_mode == DiscoveryMode::Loopback && !isLoopbackSender(datagram.senderAddress()))
            continue;
        std::optional<DiscoveredHub> hub
            = DiscoveredHub::fromDatagram(datagram.data(), datagram.senderAddress());
        if (!hub)
            continue;
        const auto it = m_hubs.find(hub->key());
        if (it == m_hubs.end()) {
            if (m_hubs.size() >= maxHubs) {
                // Full (a flood of made-up beacons): the one heard least lately makes room. A
                // real hub comes back with its next beacon, two seconds on.
                const auto oldest
                    = std::min_element(m_hubs.begin(), m_hubs.end(),
                                       [](const DiscoveredHub &a, const DiscoveredHub &b) {
                                           return a.lastSeenMs < b.lastSeenMs;
                                       });
                m_hubs.erase(oldest);
            }
            m_hubs.insert(hub->key(), *hub);
            changed = true;
            continue;
        }
        DiscoveredHub seenBefore = *it;
        seenBefore.lastSeenMs = hub->lastSeenMs;
        if (!(seenBefore == *hub))
            changed = true;
        *it = *hub;
    }
    if (changed)
        emit hubsChanged();
}

void HubBrowser::expire()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    bool changed = false;
    for (auto it = m_hubs.begin(); it != m_hubs.end();) {
        if (now - it->lastSeenMs >= m_expiryMs) {
            it = m_hubs.erase(it);
            changed = true;
        } else {
            ++it;
        }
    }
    if (changed)
        emit hubsChanged();
}

} // namespace Parley::Client
