#pragma once

#include <QListView>

namespace Parley::Client {
class ChatSession;
}

namespace Parley::Ui {

// The room list: a QListView over the session's RoomListModel with RoomDelegate. Reports the
// room the user picks (click, keyboard, next/previous) as topicActivated; the MainWindow opens
// it. Owned by MainWindow; GUI thread.
class RoomListView : public QListView
{
    Q_OBJECT
public:
    explicit RoomListView(QWidget *parent = nullptr);

    void setSession(Client::ChatSession *session);
    // Selects the row of topic without emitting topicActivated.
    void selectTopic(const QString &topic);
    QString selectedTopic() const;
    // Moves to the next / previous row, wrapping around (Ctrl+PgDown / Ctrl+PgUp).
    void selectNext();
    void selectPrevious();

signals:
    void topicActivated(const QString &topic);

private:
    void step(int delta);
    void onCurrentChanged(const QModelIndex &current);

    void reselect();

    QString m_wanted; // the topic that should be selected, also once its row arrives
    bool m_quiet = false;
};

} // namespace Parley::Ui
