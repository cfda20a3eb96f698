#pragma once

#include <QStyledItemDelegate>

namespace Parley::Ui {

// Paints a row of Client::RoomListModel: a # or lock icon (an avatar for a dm), the title (bold
// with unread messages, muted for rooms not joined), an unread badge, and a "Direct messages"
// heading above the first dm. Owned by RoomListView; GUI thread.
class RoomDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

    // True if a section heading is drawn above this row (the first dm).
    static bool hasHeading(const QModelIndex &index);

private:
    int rowHeight(const QStyleOptionViewItem &option) const;
};

} // namespace Parley::Ui
