#include "ui/idlewatcher.h"

#include <QCoreApplication>
#include <QEvent>

namespace Parley::Ui {

IdleWatcher::IdleWatcher(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(defaultTimeoutMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        m_idle = true;
        emit idleChanged(true);
    });
    QCoreApplication::instance()->installEventFilter(this);
    m_timer.start();
}

IdleWatcher::~IdleWatcher()
{
    if (QCoreApplication::instance())
        QCoreApplication::instance()->removeEventFilter(this);
}

void IdleWatcher::setTimeout(int ms)
{
    m_timer.setInterval(ms);
    if (!m_idle)
        m_timer.start();
}

bool IdleWatcher::eventFilter(QObject *watched, QEvent *event)
{
    switch (event->type()) {
    case QEvent::KeyPress:
    case QEvent::MouseButtonPress:
    case QEvent::MouseMove:
    case QEvent::Wheel:
    case QEvent::TouchBegin:
        activity();
        break;
    default:
        break;
    }
    return QObject::eventFilter(watched, event);
}

void IdleWatcher::activity()
{
    m_timer.start();
    if (m_idle) {
        m_idle = false;
        emit idleChanged(false);
    }
}

} // namespace Parley::Ui
