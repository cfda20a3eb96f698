#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

namespace Parley::Client {
class ChatSession;
class Conversation;
} // namespace Parley::Client

namespace Parley::Ui {

class AppSettings;

// Decides which topic is shown: opens what the user picks (asking for a password when a locked
// room refuses it), reopens the rooms of the last visit on connect (general by default; a locked
// one is opened by the Workspace with its kept password, and shown if it was the one shown), and
// keeps that list in AppSettings per hub. No widgets: MainWindow shows the Conversation that
// shown() hands it. Owned by MainWindow; GUI thread.
class RoomNavigator : public QObject
{
    Q_OBJECT
public:
    explicit RoomNavigator(AppSettings *settings, QObject *parent = nullptr);

    void setSession(Client::ChatSession *session);
    // Opens topic if needed and makes it the current one.
    void activate(const QString &topic, const QString &password = {});
    QString currentTopic() const { return m_current; }

    static QString defaultTopic() { return QStringLiteral("room:general"); }

signals:
    // The conversation to show; unread is how many were unread before it was shown. nullptr:
    // show nothing.
    void shown(Parley::Client::Conversation *conversation, int unread);
    // A locked room refused us; wrongPassword if we had sent one.
    void passwordNeeded(const QString &topic, bool wrongPassword);
    void openFailed(const QString &topic, const QString &reason);

private:
    void show(const QString &topic, const QString &password = {});
    void onHubInfoChanged();
    void onTopicOpenFailed(const QString &topic, const QString &reason);
    void onTopicClosed(const QString &topic);
    void onTopicOpened(const QString &topic);
    void saveOpenTopics();

    AppSettings *m_settings;
    QPointer<Client::ChatSession> m_session;
    QString m_current;
    QString m_previous; // shown again when the current one fails to open
    QString m_triedPasswordFor; // the topic last opened with a password
    QString m_asked; // the topic the user (or a link) last asked for
    // The room shown at the last visit, locked: shown once it opens with its kept password,
    // unless the user went elsewhere first.
    QString m_awaited;
    bool m_restored = false;
};

} // namespace Parley::Ui
