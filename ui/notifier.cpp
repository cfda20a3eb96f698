#include "ui/notifier.h"

#include "client/chatsession.h"
#include "client/mentions.h"
#include "client/roomlistmodel.h"
#include "protocol/events.h"
#include "ui/icons.h"

#include <QApplication>
#include <QSystemTrayIcon>
#include <QWidget>

namespace Parley::Ui {

Notifier::Notifier(QWidget *window, QObject *parent)
    : QObject(parent)
    , m_window(window)
{
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(Icons::appIcon(), this);
        m_tray->setToolTip(QStringLiteral("Parley"));
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] {
            m_window->showNormal();
            m_window->raise();
            m_window->activateWindow();
        });
        connect(m_tray, &QSystemTrayIcon::activated, this, [this] {
            m_window->showNormal();
            m_window->activateWindow();
        });
        m_tray->show();
    }
}

Notifier::~Notifier() = default;

void Notifier::watch(Client::ChatSession *session)
{
    if (!session)
        return;
    unwatch(session);
    connect(session, &Client::ChatSession::messageArrived, this,
            [this, session](const QString &topic, const Client::ChatMessage &message) {
                onMessageArrived(session, topic, message);
            });
}

void Notifier::unwatch(Client::ChatSession *session)
{
    if (session)
        disconnect(session, nullptr, this, nullptr);
}

bool Notifier::shouldNotify(const Situation &situation)
{
    if (situation.windowActive && situation.topicShown)
        return false; // the user is looking at it
    if (situation.notify == Preferences::Notify::Nothing)
        return false;
    const bool mentioned = Client::mentionsNick(situation.body, situation.ownNick);
    if (situation.status == Protocol::Status::Busy)
        return mentioned;
    if (situation.notify == Preferences::Notify::DirectAndMentions)
        return situation.direct || mentioned;
    return true;
}

void Notifier::onMessageArrived(Client::ChatSession *session, const QString &topic,
                                const Client::ChatMessage &message)
{
    if (message.deleted)
        return;
    Situation situation;
    situation.windowActive = m_window->isActiveWindow();
    // A hub that is not shown has no current topic: its messages are never "seen".
    situation.topicShown = session->currentTopic() == topic;
    situation.status = session->status();
    situation.ownNick = session->identity().nick;
    situation.body = message.body;
    const Client::RoomEntry room = session->rooms()->entry(topic);
    situation.direct = room.isDm;
    situation.notify = m_preferences.notify;
    if (!shouldNotify(situation))
        return;

    QString title = room.isDm
        ? tr("%1 (direct message)").arg(session->displayName(message.userId, message.nick))
        : tr("%1 in %2")
              .arg(session->displayName(message.userId, message.nick),
                   room.title.isEmpty() ? topic : room.title);
    if (m_showHubName && !session->hubName().isEmpty())
        title = tr("%1 — %2").arg(title, session->hubName());
    QString text = message.body.simplified();
    if (!m_preferences.notificationText)
        text = room.isDm ? tr("Sent you a message") : tr("New message");
    else if (text.size() > 140)
        text = text.left(139) + QChar(0x2026);
    if (m_tray)
        m_tray->showMessage(title, text, Icons::appIcon(), 6000);
    else
        QApplication::alert(m_window);
    emit notified(title, text);
}

} // namespace Parley::Ui
