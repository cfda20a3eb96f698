#pragma once

#include "protocol/discovery.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <optional>

class QUdpSocket;

namespace Parley::Client {

// Where LAN discovery sends: the protocol's one definition, shared with the hub's beacon.
using DiscoveryMode = Protocol::Discovery::Mode;

// A hub heard on the LAN.
struct DiscoveredHub
{
    QString hubId;
    QString name;
    QHostAddress address; // where the datagram came from
    quint16 port = 0; // the hub's WebSocket port
    int rooms = 0;
    int users = 0;
    bool locked = false;
    bool tls = false; // serves wss://
    QString fingerprint; // its certificate's, as announced (lowercase hex SHA-256)
    qint64 lastSeenMs = 0; // QDateTime::currentMSecsSinceEpoch() of the last beacon

    // A beacon datagram ({"parley": 1, "hub_id", "name", "port", ...}); nullopt if it is not one
    // (a query, another version, missing fields).
    static std::optional<DiscoveredHub> fromDatagram(const QByteArray &datagram,
                                                     const QHostAddress &sender);
    // ws(s)://ADDRESS:PORT/socket: where to join it (an IPv4-mapped address as plain IPv4).
    QUrl mountUrl() const;
    // What tells beacons apart: two that name the same hub id from another address or with
    // another certificate are two hubs to the browser (one of them is not what it says).
    QString key() const;
    friend bool operator==(const DiscoveredHub &, const DiscoveredHub &) = default;
};

// Listens for hub beacons (PROTOCOL.md "LAN discovery") on UDP 45454 with a shared bind, so that
// several browsers and hubs on one machine coexist, and keeps the live list of hubs: a hub not
// heard from for 7 s is dropped. A beacon never replaces what another sender said: one naming a
// hub id already heard, from another address or with another certificate, is listed beside it
// (DiscoveredHub::key()), and judging which one to believe is the app's (judgeBeacon()). In
// loopback mode only datagrams from loopback addresses count and queries go to 127.0.0.1 and
// 127.255.255.255 only (never 255.255.255.255). Owned by the UI (JoinDialog) or a test; GUI thread.
class HubBrowser : public QObject
{
    Q_OBJECT
public:
    static constexpr quint16 DefaultPort = 45454;

    explicit HubBrowser(QObject *parent = nullptr);
    ~HubBrowser() override;

    // Set before start(). The port is for tests; the expiry is 7 s by default.
    void setPort(quint16 port) { m_port = port; }
    quint16 port() const { return m_port; }
    void setExpiryMs(int ms);
    int expiryMs() const { return m_expiryMs; }

    // Binds the port (shared) and sends a query. Off only stops. Check isListening().
    void start(DiscoveryMode mode);
    void stop();
    bool isListening() const;
    DiscoveryMode mode() const { return m_mode; }
    QString errorString() const { return m_error; }

    // Sends {"parley": 1, "query": true} to the targets of the mode.
    void query();
    // LAN mode: also query on VPN and virtual adapters (skipped by default). Queries at once.
    void setIncludeVirtual(bool include);
    bool includesVirtual() const { return m_includeVirtual; }

    QList<DiscoveredHub> hubs() const; // ordered by name, then hub id

signals:
    void hubsChanged();

private:
    void onReadyRead();
    void expire();

    QUdpSocket *m_socket = nullptr; // child
    DiscoveryMode m_mode = DiscoveryMode::Off;
    bool m_includeVirtual = false;
    quint16 m_port = DefaultPort;
    int m_expiryMs = 7000;
    QString m_error;
    QHash<QString, DiscoveredHub> m_hubs; // by DiscoveredHub::key()
    // A flood of made-up beacons cannot grow it further: the least lately heard goes.
    static constexpr int maxHubs = 256;
    QTimer m_expiryTimer;
};

} // namespace Parley::Client
