#pragma once

#include "ui/appsettings.h"

#include <QObject>
#include <QPointer>

class QSystemTrayIcon;
class QWidget;

namespace Parley::Client {
class ChatSession;
struct ChatMessage;
} // namespace Parley::Client

namespace Parley::Ui {

// Desktop notifications for messages from others that the user cannot see: the window is not
// active, or another room is open. Busy mutes them unless the message mentions the user's nick.
// Shown with QSystemTrayIcon::showMessage where a tray exists, else QApplication::alert.
// Owned by MainWindow; GUI thread.
class Notifier : public QObject
{
    Q_OBJECT
public:
    explicit Notifier(QWidget *window, QObject *parent = nullptr);
    ~Notifier() override;

    // Messages of every watched session notify (the app is on several hubs at once); a session
    // is forgotten when it is deleted. `showHubName`: titles say which hub ("… — Team hub").
    void watch(Client::ChatSession *session);
    void unwatch(Client::ChatSession *session);
    void setShowHubName(bool show) { m_showHubName = show; }
    // Which messages notify, and whether their text is shown (Settings).
    void setPreferences(const Preferences &preferences) { m_preferences = preferences; }

    // The rules, as a pure function for tests.
    struct Situation
    {
        bool windowActive = false;
        bool topicShown = false; // the message's topic is the open one
        QString status; // own status
        QString ownNick;
        QString body;
        bool direct = false; // in a dm
        Preferences::Notify notify = Preferences::Notify::All;
    };
    // Nothing: none. Busy: only messages that mention the user (Client::mentionsNick). Direct
    // and mentions: dms and messages that mention the user.
    static bool shouldNotify(const Situation &situation);

signals:
    void notified(const QString &title, const QString &text); // after each notification

private:
    void onMessageArrived(Client::ChatSession *session, const QString &topic,
                          const Client::ChatMessage &message);

    QWidget *m_window;
    bool m_showHubName = false;
    Preferences m_preferences;
    QSystemTrayIcon *m_tray = nullptr; // child, only where a system tray exists
};

} // namespace Parley::Ui
