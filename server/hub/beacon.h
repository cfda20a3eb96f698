#pragma once

#include "hub/hubsettings.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>

class QUdpSocket;

namespace Parley::Hub {

// What a hub announces about itself.
struct BeaconInfo
{
    QString hubId;
    QString name;
    quint16 port = 0;
    int rooms = 0;
    int users = 0;
    bool locked = false;
    QString fingerprint; // of the certificate served over wss://; empty for ws://
};

// Announces a hub on the LAN (PROTOCOL.md "LAN discovery"): the datagram
// {"parley": 1, "hub_id", "name", "port", "rooms", "users", "locked", "tls", "fp"?} every 2 s to the targets of
// the discovery mode, and at once to answer a {"parley": 1, "query": true}. Binds UDP 45454
// shared (ShareAddress | ReuseAddressHint) so browsers and other hubs on the machine coexist.
// Owned by Hub; lives on the hub thread (create it there). info is called on every announce.
class Beacon : public QObject
{
    Q_OBJECT
public:
    static constexpr quint16 DefaultPort = 45454;

    Beacon(DiscoveryMode mode, std::function<BeaconInfo()> info, QObject *parent = nullptr);
    ~Beacon() override;

    // Set before start(); the port is for tests.
    void setPort(quint16 port) { m_port = port; }
    quint16 port() const { return m_port; }
    void setIntervalMs(int ms);
    int intervalMs() const { return m_intervalMs; }

    // Binds the port, starts the timer and announces once. Mode Off: does nothing, true.
    bool start(QString *error = nullptr);
    void stop();
    bool isRunning() const;
    DiscoveryMode mode() const { return m_mode; }

    void announceNow();

    static QByteArray datagram(const BeaconInfo &info);
    static bool isQuery(const QByteArray &datagram);

private:
    void onReadyRead();

    DiscoveryMode m_mode;
    std::function<BeaconInfo()> m_info;
    quint16 m_port = DefaultPort;
    int m_intervalMs = 2000;
    QUdpSocket *m_socket = nullptr; // child
    QTimer m_timer;
};

} // namespace Parley::Hub
