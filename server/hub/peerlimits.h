#pragma once

#include "hub/tokenbucket.h"

#include <QHash>
#include <QHostAddress>

namespace Parley::Hub {

struct HubSettings;

// What the hub allows one peer address (docs/protocol.md, "Limits"): anyone can make new keys,
// but a neighbour on the LAN still has one address. Per address: connections open, password
// guesses (a bucket: a few at once, then one a second; a right password gives its guess back)
// and password checks under way, rooms created per hour, and the bytes sent for joins and
// history. A record with nothing left to remember is forgotten (forgetIdle()), so the table
// stays as big as the set of active peers. Owned by the Hub; hub thread only; times are the
// hub's monotonic ms.
class PeerLimits
{
public:
    explicit PeerLimits(const HubSettings &settings);

    // Join and history output: a connection may be sent HubSettings::joinBytesPerSecond, in
    // bursts of this many seconds of it; all connections of one address this many times that.
    static constexpr double burstSeconds = 4;
    static constexpr double addressOutputShare = 4;

    // One key per host: an IPv4-mapped IPv6 address counts as its IPv4 address, an IPv6 address
    // as its /64 (a host may take any address of it).
    static QHostAddress normalized(const QHostAddress &address);

    // Connections accepted (their connect checked and let in).
    bool mayOpen(const QHostAddress &address) const;
    void opened(const QHostAddress &address);
    void closed(const QHostAddress &address);
    int openConnections(const QHostAddress &address) const;

    // A password check (hub or room password) from `address` may start: 0, and it is counted as
    // a guess and as under way; else the milliseconds to wait, and nothing is counted (a guess
    // over the rate or more checks under way than allowed is refused at once, never queued).
    qint64 startGuess(const QHostAddress &address, qint64 nowMs);
    // The check that startGuess() let start is over; a right password was no guess.
    void guessEnded(const QHostAddress &address, bool right, qint64 nowMs);
    int checksUnderWay(const QHostAddress &address) const;

    // A room may be created by `address` now: 0 (counted), else the milliseconds to wait.
    qint64 startRoom(const QHostAddress &address, qint64 nowMs);
    // The room was not made after all (taken name, full hub): it does not count.
    void roomNotMade(const QHostAddress &address, qint64 nowMs);

    // When `address` may be sent join or history output again (0: now), and what was sent.
    qint64 outputRetryAfterMs(const QHostAddress &address, qint64 nowMs) const;
    void outputSent(const QHostAddress &address, qint64 bytes, qint64 nowMs);

    void forgetIdle(qint64 nowMs);
    int size() const { return int(m_peers.size()); }

private:
    struct Peer
    {
        int open = 0;
        int checks = 0;
        TokenBucket guesses;
        TokenBucket rooms;
        TokenBucket output;
    };
    Peer &peer(const QHostAddress &address);
    const Peer *find(const QHostAddress &address) const;

    const HubSettings &m_settings;
    QHash<QHostAddress, Peer> m_peers;
};

} // namespace Parley::Hub
