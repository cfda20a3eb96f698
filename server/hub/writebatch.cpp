#include "hub/writebatch.h"

#include "hub/corkedwriter.h"

#include <algorithm>

namespace Parley::Hub {

WriteBatch::WriteBatch(QObject *parent)
    : QObject(parent)
{
}

void WriteBatch::add(CorkedWriter *writer)
{
    m_pending.push_back(writer);
    if (!m_scheduled) {
        m_scheduled = true;
        QMetaObject::invokeMethod(this, &WriteBatch::flush, Qt::QueuedConnection);
    }
}

void WriteBatch::forget(CorkedWriter *writer)
{
    std::replace(m_pending.begin(), m_pending.end(), writer,
                 static_cast<CorkedWriter *>(nullptr));
}

void WriteBatch::flush()
{
    m_scheduled = false;
    // Swap first: nothing a flush does writes again, but a connection may still join a new
    // batch from a signal it causes.
    std::vector<CorkedWriter *> pending;
    pending.swap(m_pending);
    for (CorkedWriter *writer : pending) {
        if (writer)
            writer->flush();
    }
    if (m_pending.empty() && m_pending.capacity() < pending.capacity()) {
        pending.clear();
        m_pending.swap(pending); // keep the grown buffer for the next turn
    }
}

} // namespace Parley::Hub
