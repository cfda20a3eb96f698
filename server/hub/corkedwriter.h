#pragma once

#include <QByteArray>
#include <QPointer>

class QTcpSocket;

namespace Parley::Hub {

class WriteBatch;

// The outgoing side of one connection, shared by both transports. Frames written during an
// event-loop turn are corked here and leave together, in one write, when the turn's WriteBatch
// flushes (on plain TCP a DirectSocket turns that write into one send()). Owned by its
// transport; hub thread.
class CorkedWriter
{
public:
    // Without a batch every write goes to the socket at once.
    CorkedWriter(QTcpSocket *socket, WriteBatch *batch);
    ~CorkedWriter();
    CorkedWriter(const CorkedWriter &) = delete;
    CorkedWriter &operator=(const CorkedWriter &) = delete;

    void write(const QByteArray &bytes);
    // Sends what is corked now (the WriteBatch calls it; a close calls it first).
    void flush();
    // Drops what is corked (the connection is gone or closing without us).
    void discard() { m_queued.clear(); }
    // Corked here plus what the socket holds.
    qint64 queuedBytes() const;

private:
    QPointer<QTcpSocket> m_socket;
    WriteBatch *m_batch;
    QByteArray m_queued; // written this turn, not flushed yet
    bool m_inBatch = false;
};

} // namespace Parley::Hub
