#pragma once

#include <QHash>
#include <QHostAddress>

namespace Parley::Hub {

// Slows down password guessing per peer address: after each wrong hub or room password the
// next refusal from that address waits twice as long (100 ms, 200 ms, ... up to 5 s). A right
// password clears the record; records older than a minute are forgotten. Hub thread only;
// times are the hub's monotonic milliseconds.
class PasswordThrottle
{
public:
    // How long to hold back the answer to a wrong password from `address`, and records it.
    qint64 failed(const QHostAddress &address, qint64 nowMs);
    void succeeded(const QHostAddress &address);
    int failures(const QHostAddress &address, qint64 nowMs) const;

private:
    struct Record
    {
        int failures = 0;
        qint64 lastMs = 0;
    };
    void forgetOld(qint64 nowMs);

    QHash<QString, Record> m_records; // address text -> record
};

} // namespace Parley::Hub
