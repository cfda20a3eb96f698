#pragma once

#include <QStyledItemDelegate>
#include <QWidget>

class QListView;
class QToolButton;

namespace Parley::Client {
class ChatSession;
class HubListModel;
} // namespace Parley::Client

namespace Parley::Ui {

// Paints one hub of the rail: a rounded square with the hub's initials in its colour, a bar on
// the left of the one shown (a dot when it has unread messages), a red count of mentions and
// direct messages, a small house on the hub this app hosts, greyed while disconnected.
class HubRailDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
};

// The column of hubs at the window's left edge, like Slack's workspace switcher or Discord's
// server list: one icon per hub the app is on (Client::HubListModel), a click shows that hub,
// and a + button below to host or join another. Owned by MainWindow; GUI thread.
class HubRail : public QWidget
{
    Q_OBJECT
public:
    explicit HubRail(QWidget *parent = nullptr);

    void setModel(Client::HubListModel *model);
    QListView *view() const { return m_view; }
    QToolButton *addButton() const { return m_add; }

signals:
    void hubActivated(Parley::Client::ChatSession *session);
    void hostRequested();
    void joinRequested();

private:
    QListView *m_view;
    QToolButton *m_add;
};

} // namespace Parley::Ui
