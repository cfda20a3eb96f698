#include "hub/epolleventdispatcher.h"

#include "hub/logging.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>
#include <QTimerEvent>
#include <QVarLengthArray>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace Parley::Hub {

namespace {

using namespace std::chrono_literals;

constexpr quint64 WakeUpTag = ~quint64(0); // no socket event carries fd 0xffffffff
constexpr int MaxEventsPerWait = 1024;

constexpr quint8 typeBit(int type)
{
    return quint8(1u << type);
}

// What each notifier type (Read, Write, Exception) asks epoll for.
constexpr quint32 WantedEvents[3] = { EPOLLIN, EPOLLOUT, EPOLLPRI };
// What wakes it. Hang-ups and errors wake every type, as with Qt's own dispatchers, so a
// socket always sees the close.
constexpr quint32 ReadyEvents[3]
    = { EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR, EPOLLOUT | EPOLLHUP | EPOLLERR,
        EPOLLPRI | EPOLLHUP | EPOLLERR };

const char *typeName(int type)
{
    static const char *const names[] = { "Read", "Write", "Exception" };
    return names[type];
}

quint64 tag(int fd, quint32 generation)
{
    return (quint64(generation) << 32) | quint32(fd);
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epollFd(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeUpFd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
    , m_events(new epoll_event[MaxEventsPerWait])
{
    if (m_epollFd < 0 || m_wakeUpFd < 0)
        qFatal("EpollEventDispatcher: cannot create epoll or eventfd descriptor: %s",
               strerror(errno));
    epoll_event event {};
    event.events = EPOLLIN;
    event.data.u64 = WakeUpTag;
    if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_wakeUpFd, &event) < 0)
        qFatal("EpollEventDispatcher: cannot watch the eventfd: %s", strerror(errno));
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    close(m_wakeUpFd);
    close(m_epollFd);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.storeRelease(0);
    emit awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !flags.testFlag(QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    // Events posted from now on write the eventfd, so a wait cannot miss them.
    const bool canWait
        = flags.testFlag(QEventLoop::WaitForMoreEvents) && !m_interrupted.loadAcquire();
    if (canWait)
        emit aboutToBlock();
    if (m_interrupted.loadAcquire())
        return false;

    int processed = includeNotifiers ? waitAndActivateSocketNotifiers(canWait, includeTimers)
                                     : waitForWakeUpOnly(canWait, includeTimers);
    if (includeTimers)
        processed += activateTimers();
    return processed > 0;
}

int EpollEventDispatcher::waitTimeout(bool canWait, bool includeTimers, bool includeNotifiers) const
{
    if (!canWait || (includeNotifiers && !m_alwaysReady.empty()))
        return 0;
    return includeTimers ? msUntilNextTimer() : -1;
}

int EpollEventDispatcher::waitAndActivateSocketNotifiers(bool canWait, bool includeTimers)
{
    applyInterestChanges();
    int ready;
    do {
        ready = epoll_wait(m_epollFd, m_events.get(), MaxEventsPerWait,
                           waitTimeout(canWait, includeTimers, true));
    } while (ready < 0 && errno == EINTR && !m_interrupted.loadAcquire());
    if (ready < 0) {
        if (errno != EINTR)
            qCWarning(lcHub, "EpollEventDispatcher: epoll_wait failed: %s", strerror(errno));
        ready = 0;
    }

    // Queue first, deliver second: a handler may run a nested loop that reuses m_events.
    int processed = 0;
    const size_t from = m_activations.size();
    for (int i = 0; i < ready; ++i) {
        const epoll_event &event = m_events[i];
        if (event.data.u64 == WakeUpTag) {
            drainWakeUp();
            ++processed;
        } else {
            queueActivations(int(quint32(event.data.u64)), quint32(event.data.u64 >> 32),
                             event.events);
        }
    }
    for (int fd : m_alwaysReady)
        queueActivations(fd, m_descriptors[fd].generation, EPOLLIN | EPOLLOUT);
    processed += deliverActivations();
    m_activations.resize(from);
    return processed;
}

int EpollEventDispatcher::waitForWakeUpOnly(bool canWait, bool includeTimers)
{
    pollfd wake { m_wakeUpFd, POLLIN, 0 };
    int ready;
    do {
        ready = poll(&wake, 1, waitTimeout(canWait, includeTimers, false));
    } while (ready < 0 && errno == EINTR && !m_interrupted.loadAcquire());
    if (ready <= 0)
        return 0;
    drainWakeUp();
    return 1;
}

void EpollEventDispatcher::queueActivations(int fd, quint32 generation, quint32 events)
{
    if (fd < 0 || size_t(fd) >= m_descriptors.size())
        return;
    Descriptor &descriptor = m_descriptors[fd];
    if (descriptor.generation != generation)
        return; // the descriptor was dropped (and maybe reused) since this event was read
    for (int type = 0; type < 3; ++type) {
        const quint8 bit = typeBit(type);
        // A set bit means it is queued already, by this batch or one further up the stack.
        if ((events & ReadyEvents[type]) && descriptor.notifiers[type]
            && !(descriptor.pending & bit)) {
            descriptor.pending |= bit;
            m_activations.push_back({ fd, generation, type });
        }
    }
}

int EpollEventDispatcher::deliverActivations()
{
    int delivered = 0;
    // From the start: a loop nested in a handler also delivers what the batches further up the
    // stack still hold (they skip it afterwards), else those sockets would starve and, being
    // level-triggered, make the nested loop spin. By index and with fresh lookups: handlers
    // register descriptors, and nested loops append their own activations (and remove them
    // again before they return), so both vectors may move.
    for (size_t i = 0; i < m_activations.size(); ++i) {
        const Activation activation = m_activations[i];
        Descriptor &descriptor = m_descriptors[activation.fd];
        const quint8 bit = typeBit(activation.type);
        // Unregistering clears the bit, so a notifier disabled or deleted by an earlier
        // handler of this batch is skipped here.
        if (descriptor.generation != activation.generation || !(descriptor.pending & bit))
            continue;
        descriptor.pending &= ~bit;
        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(descriptor.notifiers[activation.type], &event);
        ++delivered;
    }
    return delivered;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const qintptr socket = notifier->socket();
    const int type = int(notifier->type());
    if (socket < 0 || socket > INT_MAX || type < 0 || type > 2) {
        qCWarning(lcHub, "EpollEventDispatcher: invalid socket notifier (fd %lld)",
                  qlonglong(socket));
        return;
    }
    if (notifier->thread() != thread() || thread() != QThread::currentThread()) {
        qCWarning(lcHub,
                  "EpollEventDispatcher: socket notifiers cannot be enabled from another "
                  "thread");
        return;
    }
    const int fd = int(socket);
    if (size_t(fd) >= m_descriptors.size())
        m_descriptors.resize(std::max<size_t>(fd + 1, m_descriptors.size() * 2));
    Descriptor &descriptor = m_descriptors[fd];
    if (descriptor.notifiers[type] && descriptor.notifiers[type] != notifier)
        qCWarning(lcHub, "EpollEventDispatcher: multiple socket notifiers for socket %d, type %s",
                  fd, typeName(type));
    descriptor.notifiers[type] = notifier;
    descriptor.pending &= ~typeBit(type);

    if (descriptor.generation != 0) {
        markDirty(fd, descriptor); // the mask is rewritten before the next wait, if needed
        return;
    }
    if (++m_lastGeneration == 0)
        ++m_lastGeneration;
    descriptor.generation = m_lastGeneration;
    if (controlEpoll(EPOLL_CTL_ADD, fd, descriptor))
        return;
    if (errno == EPERM) { // a regular file or directory: poll() would call it always ready
        descriptor.alwaysReady = true;
        m_alwaysReady.push_back(fd);
        return;
    }
    qCWarning(lcHub, "EpollEventDispatcher: cannot watch socket %d: %s", fd, strerror(errno));
    descriptor = Descriptor();
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const qintptr socket = notifier->socket();
    const int type = int(notifier->type());
    if (socket < 0 || size_t(socket) >= m_descriptors.size() || type < 0 || type > 2)
        return;
    const int fd = int(socket);
    Descriptor &descriptor = m_descriptors[fd];
    if (descriptor.notifiers[type] != notifier) {
        if (descriptor.notifiers[type])
            qCWarning(lcHub,
                      "EpollEventDispatcher: multiple socket notifiers for socket %d, type %s", fd,
                      typeName(type));
        return;
    }
    descriptor.notifiers[type] = nullptr;
    descriptor.pending &= ~typeBit(type);
    if (descriptor.notifiers[0] || descriptor.notifiers[1] || descriptor.notifiers[2])
        markDirty(fd, descriptor);
    else
        forgetDescriptor(fd, descriptor);
}

void EpollEventDispatcher::forgetDescriptor(int fd, Descriptor &descriptor)
{
    if (descriptor.alwaysReady) {
        m_alwaysReady.erase(std::find(m_alwaysReady.begin(), m_alwaysReady.end(), fd));
    } else if (descriptor.generation != 0) {
        // Right away, not lazily: Qt disables notifiers before it closes a socket, and the
        // descriptor number may be reused as soon as it is closed.
        epoll_event unused {};
        if (epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, &unused) < 0 && errno != ENOENT
            && errno != EBADF)
            qCWarning(lcHub, "EpollEventDispatcher: cannot unwatch socket %d: %s", fd,
                      strerror(errno));
    }
    descriptor = Descriptor();
}

void EpollEventDispatcher::markDirty(int fd, Descriptor &descriptor)
{
    if (!descriptor.dirty && !descriptor.alwaysReady) {
        descriptor.dirty = true;
        m_dirty.push_back(fd);
    }
}

void EpollEventDispatcher::applyInterestChanges()
{
    // A write notifier is typically enabled by a write and disabled by the flush that follows
    // in the next iteration; when the next write comes first, no system call is needed at all.
    for (int fd : m_dirty) {
        Descriptor &descriptor = m_descriptors[fd];
        if (!descriptor.dirty)
            continue; // forgotten since, or listed twice
        descriptor.dirty = false;
        if (descriptor.generation == 0 || descriptor.alwaysReady)
            continue;
        quint32 wanted = 0;
        for (int type = 0; type < 3; ++type) {
            if (descriptor.notifiers[type])
                wanted |= WantedEvents[type];
        }
        if (wanted != descriptor.kernelEvents && !controlEpoll(EPOLL_CTL_MOD, fd, descriptor))
            qCWarning(lcHub, "EpollEventDispatcher: cannot update socket %d: %s", fd,
                      strerror(errno));
    }
    m_dirty.clear();
}

bool EpollEventDispatcher::controlEpoll(int operation, int fd, Descriptor &descriptor)
{
    epoll_event event {};
    for (int type = 0; type < 3; ++type) {
        if (descriptor.notifiers[type])
            event.events |= WantedEvents[type];
    }
    event.data.u64 = tag(fd, descriptor.generation);
    if (epoll_ctl(m_epollFd, operation, fd, &event) < 0) {
        // MOD of a descriptor that was closed and reopened behind our back, or ADD of one that
        // epoll still knows through a duplicate: retry with the other operation.
        const int retry = operation == EPOLL_CTL_MOD && errno == ENOENT ? EPOLL_CTL_ADD
            : operation == EPOLL_CTL_ADD && errno == EEXIST             ? EPOLL_CTL_MOD
                                                                        : 0;
        if (retry == 0 || epoll_ctl(m_epollFd, retry, fd, &event) < 0)
            return false;
    }
    descriptor.kernelEvents = event.events;
    return true;
}

void EpollEventDispatcher::wakeUp()
{
    // One write per batch of posted events; drainWakeUp() re-arms after reading.
    if (m_wakeUpPending.testAndSetOrdered(0, 1)) {
        while (eventfd_write(m_wakeUpFd, 1) < 0 && errno == EINTR) { }
    }
}

void EpollEventDispatcher::drainWakeUp()
{
    eventfd_t value;
    while (eventfd_read(m_wakeUpFd, &value) < 0 && errno == EINTR) { }
    // Reset after the read: a wakeUp() between the two wrote nothing, but its event was posted
    // before, and the next processEvents() sends posted events before it waits.
    m_wakeUpPending.storeRelease(0);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.storeRelease(1);
    wakeUp();
}

// Timers

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    if (timerId < 1 || interval < 0 || !object) {
        qCWarning(lcHub, "EpollEventDispatcher::registerTimer: invalid arguments");
        return;
    }
    if (object->thread() != thread() || thread() != QThread::currentThread()) {
        qCWarning(lcHub, "EpollEventDispatcher: timers cannot be started from another thread");
        return;
    }
    if (const auto old = m_timers.find(timerId); old != m_timers.end())
        eraseTimer(old); // cannot happen with Qt's id allocator; keep the structures consistent

    const Clock::time_point now = Clock::now();
    Timer timer;
    timer.object = object;
    timer.type = timerType;
    timer.interval = interval;
    // Like Qt's dispatchers: coarse timers of 20 s and more only keep whole seconds.
    if (timerType == Qt::CoarseTimer && interval >= 20'000)
        timer.type = Qt::VeryCoarseTimer;
    if (timer.type == Qt::VeryCoarseTimer) {
        // Whole seconds (at least one, unlike Qt, so 300 ms does not become a zero timer),
        // aligned to the second so that long idle timers share wake-ups.
        timer.interval = interval == 0 ? 0 : std::max<qint64>(1, (interval + 500) / 1000) * 1000;
        timer.deadline
            = Clock::time_point(std::chrono::round<std::chrono::seconds>(now.time_since_epoch()))
            + std::chrono::milliseconds(timer.interval);
    } else {
        // Coarse timers below 20 s are served as precise ones: with epoll that costs nothing.
        timer.deadline = now + std::chrono::milliseconds(interval);
    }
    timer.serial = ++m_lastTimerSerial;
    m_timerQueue.insert({ timer.deadline, timer.serial, timerId });
    m_timersByObject.emplace(object, timerId);
    m_timers.emplace(timerId, timer);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    if (thread() != QThread::currentThread()) {
        qCWarning(lcHub, "EpollEventDispatcher: timers cannot be stopped from another thread");
        return false;
    }
    eraseTimer(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    auto [first, last] = m_timersByObject.equal_range(object);
    if (first == last)
        return false;
    for (auto it = first; it != last; ++it) {
        const auto timer = m_timers.find(it->second);
        Q_ASSERT(timer != m_timers.end());
        m_timerQueue.erase({ timer->second.deadline, timer->second.serial, timer->first });
        if (timer->second.inTimerEvent)
            --m_timersInTimerEvent;
        m_timers.erase(timer);
    }
    m_timersByObject.erase(first, last);
    return true;
}

void EpollEventDispatcher::eraseTimer(std::unordered_map<int, Timer>::iterator it)
{
    const Timer &timer = it->second;
    m_timerQueue.erase({ timer.deadline, timer.serial, it->first });
    auto [first, last] = m_timersByObject.equal_range(timer.object);
    for (auto entry = first; entry != last; ++entry) {
        if (entry->second == it->first) {
            m_timersByObject.erase(entry);
            break;
        }
    }
    if (timer.inTimerEvent)
        --m_timersInTimerEvent;
    m_timers.erase(it);
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> timers;
    auto [first, last] = m_timersByObject.equal_range(object);
    for (auto it = first; it != last; ++it) {
        const Timer &timer = m_timers.at(it->second);
        timers.append(TimerInfo(it->second, int(timer.interval), timer.type));
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    const auto remaining = it->second.deadline - Clock::now();
    if (remaining <= Clock::duration::zero())
        return 0;
    return int(
        std::min<qint64>(std::chrono::ceil<std::chrono::milliseconds>(remaining).count(), INT_MAX));
}

int EpollEventDispatcher::msUntilNextTimer() const
{
    // A timer whose handler is running further up the stack does not count: a nested loop
    // must not spin on it.
    auto next = m_timerQueue.begin();
    while (m_timersInTimerEvent > 0 && next != m_timerQueue.end()
           && m_timers.at(next->id).inTimerEvent)
        ++next;
    if (next == m_timerQueue.end())
        return -1;
    const auto remaining = next->deadline - Clock::now();
    if (remaining <= Clock::duration::zero())
        return 0;
    // Rounded up: waking early would only spin until the deadline.
    return int(
        std::min<qint64>(std::chrono::ceil<std::chrono::milliseconds>(remaining).count(), INT_MAX));
}

int EpollEventDispatcher::activateTimers()
{
    if (m_timerQueue.empty())
        return 0;
    const Clock::time_point now = Clock::now();
    // Only timers due now, each at most once: a zero-interval timer fires once per iteration.
    QVarLengthArray<std::pair<int, quint64>, 32> due;
    for (const TimerKey &key : m_timerQueue) {
        if (key.deadline > now)
            break;
        due.append({ key.id, key.serial });
    }

    int activated = 0;
    for (const auto &[id, serial] : due) {
        auto it = m_timers.find(id);
        // Killed (its id maybe reused), restarted or deleted by an earlier handler of this pass,
        // or its own handler is running further up the stack.
        if (it == m_timers.end() || it->second.serial != serial || it->second.inTimerEvent)
            continue;
        Timer &timer = it->second;
        auto node = m_timerQueue.extract({ timer.deadline, timer.serial, id });
        const auto interval = std::chrono::milliseconds(timer.interval);
        if (interval == interval.zero()) {
            timer.deadline = now;
        } else {
            timer.deadline += interval;
            // Missed intervals are skipped, keeping the phase, rather than fired as a burst.
            if (timer.deadline <= now)
                timer.deadline += ((now - timer.deadline) / interval + 1) * interval;
        }
        timer.serial = ++m_lastTimerSerial;
        node.value() = { timer.deadline, timer.serial, id };
        m_timerQueue.insert(std::move(node));
        timer.inTimerEvent = true;
        ++m_timersInTimerEvent;

        const quint64 firedSerial = timer.serial;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(timer.object, &event);
        ++activated;

        it = m_timers.find(id); // the handler may have changed the map
        if (it != m_timers.end() && it->second.serial == firedSerial) {
            it->second.inTimerEvent = false;
            --m_timersInTimerEvent;
        }
    }
    return activated;
}

} // namespace Parley::Hub
