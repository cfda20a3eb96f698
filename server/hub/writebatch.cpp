#include "hub/writebatch.h"

#include "hub/wsconnection.h"

#include <algorithm>

namespace Parley::Hub {

WriteBatch::WriteBatch(QObject *parent)
    : QObject(parent)
{
}

void WriteBatch::add(WsConnection *connection)
{
    m_pending.push_back(connection);
    if (!m_scheduled) {
        m_scheduled = true;
        QMetaObject::invokeMethod(this, &WriteBatch::flush, Qt::QueuedConnection);
    }
}

void WriteBatch::forget(WsConnection *connection)
{
    std::replace(m_pending.begin(), m_pending.end(), connection,
                 static_cast<WsConnection *>(nullptr));
}

void WriteBatch::flush()
{
    m_scheduled = false;
    // Swap first: nothing a flush does writes again, but a connection may still join a new
    // batch from a signal it causes.
    std::vector<WsConnection *> pending;
    pending.swap(m_pending);
    for (WsConnection *connection : pending) {
        if (connection)
            connection->flushQueued();
    }
    if (m_pending.empty() && m_pending.capacity() < pending.capacity()) {
        pending.clear();
        m_pending.swap(pending); // keep the grown buffer for the next turn
    }
}

} // namespace Parley::Hub
