#include "hub/peerlimits.h"

#include "hub/hubsettings.h"

namespace Parley::Hub {

PeerLimits::PeerLimits(const HubSettings &settings)
    : m_settings(settings)
{
}

QHostAddress PeerLimits::normalized(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4);
    if (address.protocol() != QAbstractSocket::IPv6Protocol)
        return address;
    // One host on an IPv6 LAN may use any address of its /64 (privacy addresses, link-local
    // ones with no router at all): the /64 is what counts as one address.
    Q_IPV6ADDR bytes = address.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes);
}

PeerLimits::Peer &PeerLimits::peer(const QHostAddress &address)
{
    const QHostAddress key = normalized(address);
    auto it = m_peers.find(key);
    if (it == m_peers.end()) {
        Peer fresh;
        fresh.guesses.configure(m_settings.passwordGuessBurst,
                                m_settings.passwordGuessesPerMinute / 60.0);
        fresh.rooms.configure(m_settings.roomsPerHour, m_settings.roomsPerHour / 3600.0);
        fresh.output.configure(double(m_settings.joinBytesPerSecond) * addressOutputShare
                                   * burstSeconds,
                               double(m_settings.joinBytesPerSecond) * addressOutputShare);
        it = m_peers.insert(key, fresh);
    }
    return *it;
}

const PeerLimits::Peer *PeerLimits::find(const QHostAddress &address) const
{
    const auto it = m_peers.constFind(normalized(address));
    return it == m_peers.cend() ? nullptr : &*it;
}

bool PeerLimits::mayOpen(const QHostAddress &address) const
{
    return m_settings.maxConnectionsPerAddress <= 0
        || openConnections(address) < m_settings.maxConnectionsPerAddress;
}

void PeerLimits::opened(const QHostAddress &address)
{
    ++peer(address).open;
}

void PeerLimits::closed(const QHostAddress &address)
{
    Peer &record = peer(address);
    record.open = std::max(0, record.open - 1);
}

int PeerLimits::openConnections(const QHostAddress &address) const
{
    const Peer *record = find(address);
    return record ? record->open : 0;
}

qint64 PeerLimits::startGuess(const QHostAddress &address, qint64 nowMs)
{
    Peer &record = peer(address);
    if (record.checks >= m_settings.passwordChecksPerAddress)
        return 100; // about one check's time: one of those under way ends by then
    if (!record.guesses.tryTake(1, nowMs))
        return std::max<qint64>(1, record.guesses.retryAfterMs(1, nowMs));
    ++record.checks;
    return 0;
}

void PeerLimits::guessEnded(const QHostAddress &address, bool right, qint64 nowMs)
{
    Peer &record = peer(address);
    record.checks = std::max(0, record.checks - 1);
    if (right)
        record.guesses.giveBack(1, nowMs);
}

int PeerLimits::checksUnderWay(const QHostAddress &address) const
{
    const Peer *record = find(address);
    return record ? record->checks : 0;
}

qint64 PeerLimits::startRoom(const QHostAddress &address, qint64 nowMs)
{
    Peer &record = peer(address);
    if (record.rooms.tryTake(1, nowMs))
        return 0;
    return std::max<qint64>(1, record.rooms.retryAfterMs(1, nowMs));
}

void PeerLimits::roomNotMade(const QHostAddress &address, qint64 nowMs)
{
    peer(address).rooms.giveBack(1, nowMs);
}

qint64 PeerLimits::outputRetryAfterMs(const QHostAddress &address, qint64 nowMs) const
{
    const Peer *record = find(address);
    return record ? record->output.retryAfterMs(1, nowMs) : 0;
}

void PeerLimits::outputSent(const QHostAddress &address, qint64 bytes, qint64 nowMs)
{
    peer(address).output.spend(double(bytes), nowMs);
}

void PeerLimits::forgetIdle(qint64 nowMs)
{
    m_peers.removeIf([nowMs](const auto &it) {
        const Peer &record = it.value();
        return record.open == 0 && record.checks == 0 && record.guesses.isFull(nowMs)
            && record.rooms.isFull(nowMs) && record.output.isFull(nowMs);
    });
}

} // namespace Parley::Hub
