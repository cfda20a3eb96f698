#include "hub/listener.h"

namespace Parley::Hub {

Listener::Listener(Handler handler, QObject *parent) : QTcpServer(parent), m_handler(std::move(handler)) { }

void Listener::incomingConnection(qintptr descriptor)
{
    m_handler(descriptor);
}

} // namespace Parley::Hub
