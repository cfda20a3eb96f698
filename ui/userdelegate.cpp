#include "ui/userdelegate.h"

#include "client/presencemodel.h"
#include "protocol/events.h"
#include "ui/timetext.h"
#include "ui/usercolors.h"

#include <QAbstractItemView>
#include <QDateTime>
#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QToolTip>

namespace Parley::Ui {

using Client::PresenceModel;

namespace {
constexpr int avatarSize = 28;
constexpr int padding = 8;
} // namespace

UserDelegate::UserDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

QColor UserDelegate::statusColor(const QString &status)
{
    if (status == Protocol::Status::Online)
        return QColor(0x2e, 0xb8, 0x5c);
    if (status == Protocol::Status::Away)
        return QColor(0xf0, 0xa8, 0x20);
    if (status == Protocol::Status::Busy)
        return QColor(0xe0, 0x40, 0x40);
    return QColor(0x90, 0x90, 0x90);
}

QString UserDelegate::statusText(const QString &status)
{
    if (status == Protocol::Status::Online)
        return tr("Online");
    if (status == Protocol::Status::Away)
        return tr("Away");
    if (status == Protocol::Status::Busy)
        return tr("Busy");
    return status;
}

bool UserDelegate::isTyping(const QModelIndex &index) const
{
    return index.data(PresenceModel::TypingRole).toBool()
        || (m_isTyping && m_isTyping(index.data(PresenceModel::UserIdRole).toString()));
}

QString UserDelegate::detailText(const QModelIndex &index) const
{
    if (isTyping(index))
        return tr("typing…");
    QString text = statusText(index.data(PresenceModel::StatusRole).toString());
    const int devices = index.data(PresenceModel::DeviceCountRole).toInt();
    if (devices > 1)
        text += QStringLiteral(" · ") + tr("%n devices", nullptr, devices);
    return text;
}

namespace {
QFont detailFont(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.85);
    return small;
}
} // namespace

QSize UserDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const int text = option.fontMetrics.height() + QFontMetrics(detailFont(option.font)).height();
    return { 120, qMax(avatarSize + 12, text + 10) };
}

void UserDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                         const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    if (index.data(Client::PresenceModel::LastKnownRole).toBool())
        painter->setOpacity(0.5); // as last known while disconnected: greyed
    const QPalette &palette = option.palette;
    const QRect rect = option.rect;
    const bool selected = option.state.testFlag(QStyle::State_Selected);
    if (selected || option.state.testFlag(QStyle::State_MouseOver)) {
        QColor fill = palette.color(QPalette::Highlight);
        fill.setAlphaF(selected ? 0.25 : 0.12);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawRoundedRect(rect.adjusted(4, 1, -4, -1), 5, 5);
    }

    const QString userId = index.data(PresenceModel::UserIdRole).toString();
    const QString nick = index.data(PresenceModel::NickRole).toString();
    const QString status = index.data(PresenceModel::StatusRole).toString();
    const QRectF avatar(rect.left() + padding + 4, rect.center().y() - avatarSize / 2.0 + 0.5,
                        avatarSize, avatarSize);
    UserColors::paintAvatar(painter, avatar, userId, nick);
    // The status dot sits on the avatar's corner, ringed in the background colour.
    const qreal dot = 10;
    const QRectF dotRect(avatar.right() - dot + 2, avatar.bottom() - dot + 2, dot, dot);
    painter->setPen(QPen(palette.color(QPalette::Window), 2));
    painter->setBrush(statusColor(status));
    painter->drawEllipse(dotRect);

    const QString detail = detailText(index);
    const QFont small = detailFont(option.font);
    const QFontMetrics smallMetrics(small);
    const int textLeft = int(avatar.right()) + 10;
    const int textWidth = rect.right() - padding - textLeft;
    const int lineTop
        = rect.center().y() - (option.fontMetrics.height() + smallMetrics.height()) / 2;

    QString shown = index.data(PresenceModel::DisplayNameRole).toString();
    if (index.data(PresenceModel::IsSelfRole).toBool())
        shown += QLatin1Char(' ') + tr("(you)");
    painter->setFont(option.font);
    painter->setPen(palette.color(QPalette::Text));
    painter->drawText(QRect(textLeft, lineTop, textWidth, option.fontMetrics.height()),
                      Qt::AlignLeft | Qt::AlignVCenter,
                      option.fontMetrics.elidedText(shown, Qt::ElideRight, textWidth));
    QFont detailShown = small;
    detailShown.setItalic(isTyping(index));
    painter->setFont(detailShown);
    painter->setPen(palette.color(QPalette::PlaceholderText));
    painter->drawText(
        QRect(textLeft, lineTop + option.fontMetrics.height(), textWidth, smallMetrics.height()),
        Qt::AlignLeft | Qt::AlignVCenter,
        smallMetrics.elidedText(detail, Qt::ElideRight, textWidth));
    painter->restore();
}

bool UserDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view,
                             const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (event->type() != QEvent::ToolTip || !index.isValid())
        return QStyledItemDelegate::helpEvent(event, view, option, index);
    const qint64 since = index.data(PresenceModel::OnlineSinceRole).toLongLong();
    const int devices = index.data(PresenceModel::DeviceCountRole).toInt();
    QStringList lines;
    lines << QStringLiteral("%1 — %2").arg(
        index.data(PresenceModel::DisplayNameRole).toString(),
        statusText(index.data(PresenceModel::StatusRole).toString()));
    lines << tr("Fingerprint %1").arg(index.data(PresenceModel::FingerprintRole).toString());
    if (since > 0) {
        const QDateTime when = QDateTime::fromMSecsSinceEpoch(since);
        const QString format = when.date() == LocalClock::today()
            ? shortTime(since)
            : QLocale().toString(when.date(), QLocale::ShortFormat) + QLatin1Char(' ')
                + shortTime(since);
        lines << tr("Online since %1").arg(format);
    }
    lines << tr("Connected from %n device(s)", nullptr, devices);
    if (!index.data(PresenceModel::IsSelfRole).toBool())
        lines << tr("Double-click to send a direct message");
    QToolTip::showText(event->globalPos(), lines.join(QLatin1Char('\n')), view);
    return true;
}

} // namespace Parley::Ui
