#include "client/reachabilityprobe.h"

#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace Parley::Client {

void ReachabilityProbe::check(const QList<QUrl> &urls, int timeoutMs)
{
    for (const QUrl &url : urls) {
        if (url.host().isEmpty() || url.port() <= 0 || stateOf(url) == State::Checking)
            continue;
        settle(url, State::Checking);
        auto *socket = new QTcpSocket(this);
        const QPointer<QTcpSocket> guard(socket);
        const auto finish = [this, url, guard](State state) {
            if (!guard || guard->property("done").toBool())
                return;
            guard->setProperty("done", true);
            guard->abort();
            guard->deleteLater();
            settle(url, state);
        };
        connect(socket, &QTcpSocket::connected, this, [finish] { finish(State::Reachable); });
        connect(socket, &QTcpSocket::errorOccurred, this, [finish] { finish(State::Unreachable); });
        QTimer::singleShot(timeoutMs, this, [finish] { finish(State::Unreachable); });
        socket->connectToHost(url.host(), quint16(url.port()));
    }
}

void ReachabilityProbe::settle(const QUrl &url, State state)
{
    if (m_states.value(key(url), State::Unknown) == state)
        return;
    m_states.insert(key(url), state);
    emit changed(url, state);
}

} // namespace Parley::Client
