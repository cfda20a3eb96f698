#include "ui/roomdelegate.h"

#include "client/roomlistmodel.h"
#include "ui/icons.h"
#include "ui/usercolors.h"

#include <QAbstractItemView>
#include <QHelpEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

namespace Parley::Ui {

using Client::RoomListModel;

namespace {
constexpr int padding = 8;
constexpr int iconSize = 16;

int headingHeight(const QFontMetrics &metrics)
{
    return metrics.height() + 14;
}
} // namespace

bool RoomDelegate::hasHeading(const QModelIndex &index)
{
    if (!index.data(RoomListModel::IsDmRole).toBool())
        return false;
    const QModelIndex previous = index.sibling(index.row() - 1, 0);
    return !previous.isValid() || !previous.data(RoomListModel::IsDmRole).toBool();
}

int RoomDelegate::rowHeight(const QStyleOptionViewItem &option) const
{
    return qMax(iconSize + 12, option.fontMetrics.height() + 12);
}

QSize RoomDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const int heading = hasHeading(index) ? headingHeight(option.fontMetrics) : 0;
    return { 120, rowHeight(option) + heading };
}

void RoomDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                         const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QPalette &palette = option.palette;
    QRect rect = option.rect;

    if (hasHeading(index)) {
        QRect heading = rect;
        heading.setHeight(headingHeight(option.fontMetrics));
        QFont font = option.font;
        font.setBold(true);
        font.setPointSizeF(font.pointSizeF() * 0.85);
        painter->setFont(font);
        painter->setPen(palette.color(QPalette::PlaceholderText));
        painter->drawText(heading.adjusted(padding + 2, 0, -padding, -3),
                          Qt::AlignLeft | Qt::AlignBottom, tr("Direct messages"));
        rect.setTop(heading.bottom() + 1);
    }

    const bool selected = option.state.testFlag(QStyle::State_Selected);
    const bool hovered = option.state.testFlag(QStyle::State_MouseOver);
    const QRect background = rect.adjusted(4, 1, -4, -1);
    if (selected || hovered) {
        QColor fill = palette.color(QPalette::Highlight);
        if (!selected)
            fill.setAlphaF(0.15);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(background, 5, 5);
    }

    const int unread = index.data(RoomListModel::UnreadRole).toInt();
    const bool joined = index.data(RoomListModel::JoinedRole).toBool();
    const bool isDm = index.data(RoomListModel::IsDmRole).toBool();
    const QColor ink = selected  ? palette.color(QPalette::HighlightedText)
        : (joined || unread > 0) ? palette.color(QPalette::Text)
                                 : palette.color(QPalette::PlaceholderText);

    const QRect iconRect(background.left() + padding, rect.center().y() - iconSize / 2 + 1,
                         iconSize, iconSize);
    if (isDm) {
        UserColors::paintAvatar(painter, iconRect, index.data(RoomListModel::NameRole).toString(),
                                index.data(Qt::DisplayRole).toString());
    } else {
        const bool locked = index.data(RoomListModel::LockedRole).toBool();
        Icons::icon(locked ? QStringLiteral("lock") : QStringLiteral("hash"), ink)
            .paint(painter, iconRect);
    }

    int right = background.right() - padding;
    QFont font = option.font;
    if (unread > 0) {
        QFont badgeFont = option.font;
        badgeFont.setBold(true);
        badgeFont.setPointSizeF(badgeFont.pointSizeF() * 0.85);
        const QFontMetrics badgeMetrics(badgeFont);
        const QString count = unread > 99 ? QStringLiteral("99+") : QString::number(unread);
        const int height = badgeMetrics.height() + 2;
        const int width = qMax(height, badgeMetrics.horizontalAdvance(count) + 10);
        const QRect badge(right - width + 1, rect.center().y() - height / 2 + 1, width, height);
        painter->setPen(Qt::NoPen);
        painter->setBrush(selected ? palette.color(QPalette::HighlightedText)
                                   : palette.color(QPalette::Highlight));
        painter->drawRoundedRect(badge, height / 2.0, height / 2.0);
        painter->setFont(badgeFont);
        painter->setPen(selected ? palette.color(QPalette::Highlight)
                                 : palette.color(QPalette::HighlightedText));
        painter->drawText(badge, Qt::AlignCenter, count);
        right = badge.left() - 6;
        font.setBold(true);
    }

    painter->setFont(font);
    painter->setPen(ink);
    const QRect textRect(iconRect.right() + 9, rect.top(), right - iconRect.right() - 9,
                         rect.height());
    const QString title = QFontMetrics(font).elidedText(index.data(Qt::DisplayRole).toString(),
                                                        Qt::ElideRight, textRect.width());
    painter->drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter, title);
    painter->restore();
}

bool RoomDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view,
                             const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (event->type() != QEvent::ToolTip || !index.isValid())
        return QStyledItemDelegate::helpEvent(event, view, option, index);
    QString tip;
    if (index.data(RoomListModel::IsDmRole).toBool()) {
        tip = tr("Direct messages with %1").arg(index.data(Qt::DisplayRole).toString());
    } else {
        const int members = index.data(RoomListModel::MembersRole).toInt();
        tip = tr("#%1 · %n here", nullptr, members)
                  .arg(index.data(RoomListModel::NameRole).toString());
        if (index.data(RoomListModel::LockedRole).toBool())
            tip += QLatin1Char('\n') + tr("Needs a password");
        if (!index.data(RoomListModel::JoinedRole).toBool())
            tip += QLatin1Char('\n') + tr("Click to join");
    }
    QToolTip::showText(event->globalPos(), tip, view);
    return true;
}

} // namespace Parley::Ui
