#include "ui/notifier.h"

#include "client/chatsession.h"
#include "client/roomlistmodel.h"
#include "ui/icons.h"

#include <QApplication>
#include <QRegularExpression>
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

void Notifier::setSession(Client::ChatSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (session)
        connect(session, &Client::ChatSession::messageArrived, this, &Notifier::onMessageArrived);
}

bool Notifier::mentions(const QString &body, const QString &nick)
{
    if (nick.trimmed().isEmpty())
        return false;
    const QRegularExpression word(
        QStringLiteral("(?<![\\w])@?%1(?![\\w])").arg(QRegularExpression::escape(nick.trimmed())),
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::UseUnicodePropertiesOption);
    return word.match(body).hasMatch();
}

bool Notifier::shouldNotify(const Situation &situation)
{
    if (situation.windowActive && situation.topicShown)
        return false; // the user is looking at it
    if (situation.status == QLatin1String("busy"))
        return mentions(situation.body, situation.ownNick);
    return true;
}

void Notifier::onMessageArrived(const QString &topic, const Client::ChatMessage &message)
{
    if (!m_session || message.deleted)
        return;
    Situation situation;
    situation.windowActive = m_window->isActiveWindow();
    situation.topicShown = m_session->currentTopic() == topic;
    situation.status = m_session->status();
    situation.ownNick = m_session->identity().nick;
    situation.body = message.body;
    if (!shouldNotify(situation))
        return;

    const Client::RoomEntry room = m_session->rooms()->entry(topic);
    const QString title = room.isDm
        ? tr("%1 (direct message)").arg(m_session->displayName(message.userId, message.nick))
        : tr("%1 in %2").arg(m_session->displayName(message.userId, message.nick),
                             room.title.isEmpty() ? topic : room.title);
    QString text = message.body.simplified();
    if (text.size() > 140)
        text = text.left(139) + QChar(0x2026);
    if (m_tray)
        m_tray->showMessage(title, text, Icons::appIcon(), 6000);
    else
        QApplication::alert(m_window);
    emit notified(title, text);
}

} // namespace Parley::Ui
