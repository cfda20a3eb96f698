#pragma once

#include <QObject>

#include <vector>

namespace Parley::Hub {

class CorkedWriter;

// Corks the hub's writes for one event-loop turn. A connection that is written to while it
// has nothing queued joins the batch; the batch then flushes once, from a queued call, after
// the turn's handlers have run: each connection's frames go out in one send(). Without it
// every QTcpSocket::write() arms the socket's write notifier, and each frame costs two epoll
// mask changes and a wake-up on top of the send() itself. Frames for one socket written in the
// same turn (a join reply, the presence state and a diff) travel together.
//
// Lives on the hub thread with the connections it serves.
class WriteBatch : public QObject
{
    Q_OBJECT
public:
    explicit WriteBatch(QObject *parent = nullptr);

    // `writer` has bytes to send; called once until the next flush.
    void add(CorkedWriter *writer);
    // `writer` is going away before the flush.
    void forget(CorkedWriter *writer);
    // Sends what every connection in the batch has queued. Also run by itself once per turn.
    void flush();

private:
    std::vector<CorkedWriter *> m_pending;
    bool m_scheduled = false;
};

} // namespace Parley::Hub
