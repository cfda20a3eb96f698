#pragma once

#include <QAbstractEventDispatcher>
#include <QAtomicInt>

#include <chrono>
#include <memory>
#include <set>
#include <unordered_map>
#include <vector>

struct epoll_event;

namespace Parley::Hub {

// An epoll(7) event dispatcher for the hub's threads. Debian's Qt defaults to the GLib
// dispatcher, where enabling a socket notifier walks a list sorted by descriptor, so every
// socket write costs O(open sockets); Qt's own UNIX dispatcher rebuilds and scans a pollfd array
// on every iteration. Here turning a notifier on or off is O(1): its descriptor's epoll mask is
// only rewritten (EPOLL_CTL_MOD) just before the next wait, and only if it really changed.
// Timers sit in an ordered set; other threads wake the loop through one eventfd.
//
// Install it before its thread runs: QThread::setEventDispatcher() before start(), or
// QCoreApplication::setEventDispatcher() before the QCoreApplication exists. The thread (or the
// application) then owns and deletes it. Every function must be called on that thread, except
// wakeUp() and interrupt(), which any thread may call.
class EpollEventDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    using QAbstractEventDispatcher::registerTimer;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    using Clock = std::chrono::steady_clock;

    // Everything known about one descriptor: up to one notifier per QSocketNotifier::Type.
    struct Descriptor
    {
        QSocketNotifier *notifiers[3] = {};
        quint32 generation = 0; // 0: not registered; else tags its epoll events
        quint32 kernelEvents = 0; // the mask epoll has now
        quint8 pending = 0; // types whose activation is queued in the current batch
        bool dirty = false; // listed in m_dirty: the mask may have to be rewritten
        bool alwaysReady = false; // epoll refused it (a regular file): ready like poll() says
    };
    struct Activation
    {
        int fd;
        quint32 generation;
        int type;
    };
    struct Timer
    {
        QObject *object = nullptr;
        qint64 interval = 0; // ms, as reported by registeredTimers()
        Qt::TimerType type = Qt::CoarseTimer;
        Clock::time_point deadline;
        quint64 serial = 0; // changes on every (re)scheduling; part of the queue key
        bool inTimerEvent = false;
    };
    struct TimerKey
    {
        Clock::time_point deadline;
        quint64 serial;
        int id;
        auto operator<=>(const TimerKey &) const = default;
    };

    int waitAndActivateSocketNotifiers(bool canWait, bool includeTimers);
    int waitForWakeUpOnly(bool canWait, bool includeTimers);
    int waitTimeout(bool canWait, bool includeTimers, bool includeNotifiers) const;
    void queueActivations(int fd, quint32 generation, quint32 events);
    int deliverActivations();
    void applyInterestChanges();
    bool controlEpoll(int operation, int fd, Descriptor &descriptor);
    void markDirty(int fd, Descriptor &descriptor);
    void forgetDescriptor(int fd, Descriptor &descriptor);
    void drainWakeUp();

    int activateTimers();
    int msUntilNextTimer() const;
    void eraseTimer(std::unordered_map<int, Timer>::iterator it);

    int m_epollFd = -1;
    int m_wakeUpFd = -1;
    QAtomicInt m_wakeUpPending; // 1 while the eventfd holds an unconsumed wake-up
    QAtomicInt m_interrupted;
    std::unique_ptr<epoll_event[]> m_events;

    std::vector<Descriptor> m_descriptors; // indexed by fd
    std::vector<int> m_dirty; // descriptors whose wanted mask may differ from the kernel's
    std::vector<int> m_alwaysReady;
    std::vector<Activation> m_activations; // shared by nested processEvents() calls
    quint32 m_lastGeneration = 0;

    std::unordered_map<int, Timer> m_timers;
    std::set<TimerKey> m_timerQueue; // ordered by deadline, then by scheduling order
    std::unordered_multimap<QObject *, int> m_timersByObject;
    quint64 m_lastTimerSerial = 0;
    int m_timersInTimerEvent = 0;
};

} // namespace Parley::Hub
