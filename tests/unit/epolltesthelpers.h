// Shared by tst_epolltimers and tst_epollsockets: a thread running on an EpollEventDispatcher,
// echo servers and small probes. Each test executable installs the dispatcher in its own main().
#pragma once

#include "hub/epolleventdispatcher.h"

#include <QAbstractEventDispatcher>
#include <QEvent>
#include <QHostAddress>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimerEvent>
#include <QWebSocket>
#include <QWebSocketServer>

#include <atomic>
#include <functional>
#include <memory>
#include <sys/socket.h>
#include <type_traits>
#include <unistd.h>

namespace EpollTest {

using Parley::Hub::EpollEventDispatcher;

constexpr int WaitMs = 10'000; // bound on every wait; failures show up long before

inline QAbstractEventDispatcher *currentDispatcher()
{
    return QThread::currentThread()->eventDispatcher();
}

// Runs whatever is queued right now, without waiting: enough to show what level-triggered
// readiness delivers, so "nothing happened" needs no time window.
inline void spinWithoutWaiting(int iterations = 3)
{
    for (int i = 0; i < iterations; ++i)
        currentDispatcher()->processEvents(QEventLoop::AllEvents);
}

// A started QThread running its loop on an EpollEventDispatcher, with a context object on it
// for queued calls. Objects created with context() as parent die with the thread.
class DispatcherThread
{
public:
    DispatcherThread()
        : m_thread(std::make_unique<QThread>())
        , m_dispatcher(new EpollEventDispatcher)
    {
        m_thread->setEventDispatcher(m_dispatcher); // the thread owns it from here
        m_context = new QObject;
        m_context->moveToThread(m_thread.get());
        QObject::connect(m_thread.get(), &QThread::finished, m_context, &QObject::deleteLater);
        m_thread->start();
    }
    ~DispatcherThread() { stop(); }

    QThread *thread() const { return m_thread.get(); }
    EpollEventDispatcher *dispatcher() const { return m_dispatcher; } // until stop()
    QObject *context() const { return m_context; }

    template<typename Function> auto run(Function function) const
    {
        if constexpr (std::is_void_v<std::invoke_result_t<Function>>) {
            QMetaObject::invokeMethod(m_context, function, Qt::BlockingQueuedConnection);
        } else {
            std::invoke_result_t<Function> result {};
            QMetaObject::invokeMethod(m_context, function, Qt::BlockingQueuedConnection, &result);
            return result;
        }
    }

    void stop()
    {
        m_thread->quit();
        if (!m_thread->wait(WaitMs))
            qFatal("the dispatcher thread did not stop");
    }

private:
    std::unique_ptr<QThread> m_thread;
    EpollEventDispatcher *m_dispatcher;
    QObject *m_context;
};

// Echoes every byte back on each accepted connection.
class EchoServer : public QObject
{
    Q_OBJECT
public:
    explicit EchoServer(QObject *parent = nullptr)
        : QObject(parent)
        , m_server(new QTcpServer(this))
    {
        connect(m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server->nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket,
                        [socket] { socket->write(socket->readAll()); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    quint16 listen()
    {
        return m_server->listen(QHostAddress::LocalHost, 0) ? m_server->serverPort() : 0;
    }

private:
    QTcpServer *m_server;
};

// Echoes every text message back.
class WebSocketEchoServer : public QObject
{
    Q_OBJECT
public:
    explicit WebSocketEchoServer(QObject *parent = nullptr)
        : QObject(parent)
        , m_server(
              new QWebSocketServer(QStringLiteral("test"), QWebSocketServer::NonSecureMode, this))
    {
        connect(m_server, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_server->nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QWebSocket::textMessageReceived, socket,
                        [socket](const QString &text) { socket->sendTextMessage(text); });
                connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    quint16 listen()
    {
        return m_server->listen(QHostAddress::LocalHost, 0) ? m_server->serverPort() : 0;
    }

private:
    QWebSocketServer *m_server;
};

// Calls a function for each of its timer events.
class TimerProbe : public QObject
{
public:
    std::function<void(int timerId)> onTimer;

protected:
    void timerEvent(QTimerEvent *event) override { onTimer(event->timerId()); }
};

// Counts QEvent::User events and remembers the thread that handled them.
class EventProbe : public QObject
{
public:
    using QObject::QObject;
    std::atomic<int> received { 0 };
    std::atomic<QThread *> handledOn { nullptr };

    bool event(QEvent *event) override
    {
        if (event->type() != QEvent::User)
            return QObject::event(event);
        handledOn = QThread::currentThread();
        ++received;
        return true;
    }
};

// Both ends of a connected, non-blocking AF_UNIX stream pair, closed on destruction.
struct SocketPair
{
    int fds[2] = { -1, -1 };
    SocketPair() { socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        close(fds[0]);
        close(fds[1]);
    }
    bool isValid() const { return fds[0] >= 0 && fds[1] >= 0; }
    bool send(int end = 1) const { return ::write(fds[end], "x", 1) == 1; }
};

inline QByteArray makePayload(int size)
{
    QByteArray payload(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        payload[i] = char((i * 7 + i / 251) & 0xff);
    return payload;
}

} // namespace EpollTest
