#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QUrl>

namespace Parley::Client {

// Whether hubs the user joined before answer now: a TCP connect to each of their remembered
// addresses, given up after a timeout, closed at once when it succeeds; nothing is sent. Only
// ever to addresses the user joined before (never a scan). Owned by a view; GUI thread.
class ReachabilityProbe : public QObject
{
    Q_OBJECT
public:
    enum class State { Unknown, Checking, Reachable, Unreachable };
    Q_ENUM(State)

    using QObject::QObject;

    // Checks each address not being checked already.
    void check(const QList<QUrl> &urls, int timeoutMs = 2000);
    State stateOf(const QUrl &url) const { return m_states.value(key(url), State::Unknown); }

signals:
    void changed(const QUrl &url, Parley::Client::ReachabilityProbe::State state);

private:
    static QString key(const QUrl &url)
    {
        return url.host() + QLatin1Char(':') + QString::number(url.port());
    }
    void settle(const QUrl &url, State state);

    QHash<QString, State> m_states;
};

} // namespace Parley::Client
