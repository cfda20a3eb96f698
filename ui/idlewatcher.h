#pragma once

#include <QObject>
#include <QTimer>

namespace Parley::Ui {

// Notices when the user has not touched the app (keys, mouse, wheel) for a while, for auto-away.
// Watches the whole application through an event filter. Owned by MainWindow; GUI thread.
class IdleWatcher : public QObject
{
    Q_OBJECT
public:
    static constexpr int defaultTimeoutMs = 10 * 60 * 1000;

    explicit IdleWatcher(QObject *parent = nullptr);
    ~IdleWatcher() override;

    void setTimeout(int ms);
    bool isIdle() const { return m_idle; }

signals:
    void idleChanged(bool idle);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void activity();

    QTimer m_timer;
    bool m_idle = false;
};

} // namespace Parley::Ui
