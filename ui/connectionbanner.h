#pragma once

#include <QFrame>
#include <QPointer>
#include <QTimer>

class QLabel;
class QPushButton;

namespace Parley::Client {
class ChatSession;
}

namespace Parley::Ui {

// A strip above the messages that is visible whenever the connection is not simply fine:
// "Connecting…", "Connection lost — reconnecting in N s", or "The hub refused the connection:
// why" with a way out (enter the hub password, try again). Hidden while connected.
// Owned by MainWindow; GUI thread.
class ConnectionBanner : public QFrame
{
    Q_OBJECT
public:
    explicit ConnectionBanner(QWidget *parent = nullptr);

    void setSession(Client::ChatSession *session);
    QString text() const; // what the banner says (empty while hidden)
    bool isShown() const { return !isHidden(); }

    // A refusal reason of the hub in words.
    static QString describeRefusal(const QString &reason);

signals:
    void passwordRequested();
    // The hub would be reached without encryption: the user may choose to (after a warning).
    void unencryptedRequested();
    void retryRequested();
    // The hub was never reached: the user wants to leave it and pick another address.
    void backRequested();

private:
    void refresh();

    QPointer<Client::ChatSession> m_session;
    QLabel *m_icon;
    QLabel *m_text;
    QPushButton *m_action;
    QPushButton *m_back; // only while the hub was never reached
    QTimer m_countdown;
    enum class Action { Retry, Password, Unencrypted };
    Action m_actionKind = Action::Retry;
};

} // namespace Parley::Ui
