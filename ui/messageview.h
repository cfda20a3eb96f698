#pragma once

#include "ui/messageselection.h"

#include <QListView>
#include <QMenu>
#include <QPointer>
#include <QTimer>

#include <memory>

class QPushButton;

namespace Parley::Client {
class MessageModel;
}

namespace Parley::Ui {

class MessageDelegate;

// The messages of the open topic: a QListView over a Client::MessageModel with MessageDelegate.
// Stays at the bottom while the user is there, keeps its place when older history is prepended
// (asking for it when scrolled to the top), opens clicked links and offers edit/delete of own
// messages in a context menu. Two bars help catching up: "Jump to first unread" at the top while
// the "new messages" line is above the view, "N new messages — Jump to present" at the bottom
// while scrolled up and others write. Owned by MainWindow; GUI thread.
class MessageView : public QListView
{
    Q_OBJECT
public:
    explicit MessageView(QWidget *parent = nullptr);

    // Shows model (nullptr: nothing). unread > 0 draws the "new messages" line above the first
    // of the last `unread` messages.
    void setMessages(Client::MessageModel *model, int unread = 0);
    Client::MessageModel *messages() const;
    MessageDelegate *delegate() const { return m_delegate; }

    bool isAtBottom() const { return m_atBottom; }
    void scrollToBottom(); // also forgets the "new messages" line once it was seen
    void clearNewMarker();
    // The "new messages" line goes above the first message from others after this id, once
    // those messages arrive (a room restored at start, read up to there in the last run).
    void setNewMarkerAfter(qint64 lastReadId);
    // Where the user reads when scrolled up: the confirmed message at the top of the view and
    // how many pixels of it are scrolled past. topId 0: at the bottom.
    struct ScrollPosition
    {
        qint64 topId = 0;
        int offset = 0;
    };
    ScrollPosition scrollPosition() const;
    // Back to that place, now or once the message is loaded (older pages are asked for while it
    // is older than what is loaded); forgotten when another model is shown.
    void restoreScrollPosition(const ScrollPosition &position);
    QPushButton *firstUnreadBar() const { return m_firstUnreadBar; }
    QPushButton *presentBar() const { return m_presentBar; }
    // The menu a right-click at `pos` (viewport coordinates) opens; nullptr off the messages.
    std::unique_ptr<QMenu> contextMenuAt(const QPoint &pos);
    // Text selected with the mouse (a drag, a double click on a word), across messages.
    QString selectedText() const { return m_selection.text(); }
    void copySelection() const;

signals:
    void olderRequested();
    void linkActivated(const QUrl &url);
    void editRequested(qint64 id, const QString &body);
    void deleteRequested(qint64 id);
    // The user asked to send one of their failed messages again.
    void retryRequested(const QString &clientId);
    // A key that writes text was pressed while the view had the focus: it belongs to the
    // composer (the window gives it the focus and the key).
    void typedWhileReading(QKeyEvent *event);

protected:
    void contextMenuEvent(QContextMenuEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    std::optional<QUrl> linkAt(const QPoint &pos) const;
    // The row and text position under pos, the nearest row when pos is above or below them.
    std::pair<QModelIndex, int> textPositionAt(const QPoint &pos) const;
    void onRowsAboutToBeInserted(const QModelIndex &parent, int first, int last);
    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onRangeChanged(int min, int max);
    void onScrolled(int value);
    void maybeRequestOlder();
    void updateJumpBars();
    void updateTrimming();
    void tryRestore();
    void placeJumpBars();
    int markerRow() const; // -1 without a "new messages" line

    MessageDelegate *m_delegate;
    QPointer<Client::MessageModel> m_model;
    bool m_atBottom = true;
    int m_keepFromBottom = -1; // distance from the bottom to restore after a prepend
    bool m_loadingOlder = false;
    QTimer m_olderTimeout; // gives up waiting for a history page that never came
    QPoint m_pressPos;
    MessageSelection m_selection;
    bool m_selecting = false; // the left button went down on the messages
    qint64 m_markAfter = 0; // setNewMarkerAfter(), until the line is placed
    QPushButton *m_firstUnreadBar;
    QPushButton *m_presentBar;
    int m_newBelow = 0; // messages from others that arrived while scrolled up
    ScrollPosition m_restore; // restoreScrollPosition() not done yet (topId 0: none)
};

} // namespace Parley::Ui
