#include "client/backofftimer.h"

namespace Parley::Client {

BackoffTimer::BackoffTimer(std::function<void()> callback, Schedule schedule)
    : m_callback(std::move(callback))
    , m_schedule(std::move(schedule))
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
        ++m_tries;
        m_callback();
    });
}

void BackoffTimer::reset()
{
    m_tries = 0;
    m_timer.stop();
}

int BackoffTimer::scheduleTimeout()
{
    const int delay = m_schedule(m_tries + 1);
    scheduleIn(delay);
    return delay;
}

void BackoffTimer::scheduleIn(int ms)
{
    m_timer.start(ms);
}

} // namespace Parley::Client
