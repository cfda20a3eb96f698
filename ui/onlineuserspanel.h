#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QListView;

namespace Parley::Client {
class ChatSession;
class PresenceModel;
} // namespace Parley::Client

namespace Parley::Ui {

class UserDelegate;

// Who is on the hub: a QListView over the session's hub-wide PresenceModel with UserDelegate,
// plus "typing…" from the open topic's presence. The model changes by row inserts, removes,
// moves and dataChanged, so selection and scroll stay put. Double-click asks for a dm.
// Owned by MainWindow; GUI thread.
class OnlineUsersPanel : public QWidget
{
    Q_OBJECT
public:
    explicit OnlineUsersPanel(QWidget *parent = nullptr);

    void setSession(Client::ChatSession *session);
    // The presence of the open topic (typing comes from there); nullptr: none.
    void setTopicPresence(Client::PresenceModel *presence);

    QListView *view() const { return m_view; }
    UserDelegate *delegate() const { return m_delegate; }

signals:
    void directMessageRequested(const QString &userId);

private:
    void updateCount();

    QLabel *m_title;
    QLabel *m_note; // "showing the N most recently active" in a big hub
    QListView *m_view;
    UserDelegate *m_delegate;
    QPointer<Client::PresenceModel> m_hubPresence;
    QPointer<Client::PresenceModel> m_topicPresence;
};

} // namespace Parley::Ui
