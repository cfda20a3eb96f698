#include "hub/corkedwriter.h"

#include "hub/writebatch.h"

#include <QSslSocket>
#include <QTcpSocket>

#include <utility>

namespace Parley::Hub {

CorkedWriter::CorkedWriter(QTcpSocket *socket, WriteBatch *batch)
    : m_socket(socket), m_batch(batch)
{
}

CorkedWriter::~CorkedWriter()
{
    if (m_inBatch)
        m_batch->forget(this);
}

qint64 CorkedWriter::queuedBytes() const
{
    if (!m_socket)
        return m_queued.size();
    qint64 queued = m_queued.size() + m_socket->bytesToWrite();
    // Over TLS, bytesToWrite() counts only what is not encrypted yet: QSslSocket encrypts at
    // once, and the backlog of a reader that stopped waits as encrypted bytes below it.
    if (const auto *tls = qobject_cast<const QSslSocket *>(m_socket))
        queued += tls->encryptedBytesToWrite();
    return queued;
}

void CorkedWriter::write(const QByteArray &bytes)
{
    if (!m_socket)
        return;
    if (!m_batch) {
        m_socket->write(bytes);
        return;
    }
    if (m_queued.isEmpty())
        m_queued = bytes; // shares a broadcast frame's buffer: no copy for the usual single frame
    else
        m_queued += bytes;
    if (!m_inBatch) {
        m_inBatch = true;
        m_batch->add(this);
    }
}

void CorkedWriter::flush()
{
    m_inBatch = false;
    const QByteArray bytes = std::exchange(m_queued, {});
    if (bytes.isEmpty() || !m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_socket->write(bytes);
}

} // namespace Parley::Hub
