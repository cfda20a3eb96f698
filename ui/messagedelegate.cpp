#include "ui/messagedelegate.h"

#include "client/chatmessage.h"
#include "client/messagemodel.h"
#include "ui/icons.h"
#include "ui/messageselection.h"
#include "ui/timetext.h"
#include "ui/usercolors.h"

#include <QAbstractItemView>
#include <QDateTime>
#include <QHelpEvent>
#include <QLocale>
#include <QPainter>
#include <QTextLayout>
#include <QToolTip>

#include <cmath>

namespace Parley::Ui {

using Client::ChatMessage;
using Client::MessageModel;

namespace {

constexpr int leftMargin = 14;
constexpr int avatarSize = 34;
constexpr int contentLeft = leftMargin + avatarSize + 10;
constexpr int rightMargin = 34;
constexpr int stateIconSize = 14;
constexpr int headerGap = 8; // between the name and the time

qint64 timestampOf(const QModelIndex &index)
{
    const qint64 ts = index.data(MessageModel::TimestampRole).toLongLong();
    return ts > 0 ? ts : QDateTime::currentMSecsSinceEpoch(); // a pending message is "now"
}

QDate localDate(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms).date();
}

QString timeText(qint64 ms)
{
    return shortTime(ms);
}

ChatMessage::State stateOf(const QModelIndex &index)
{
    return ChatMessage::State(index.data(MessageModel::StateRole).toInt());
}

QFont smallFont(const QFont &font)
{
    QFont small = font;
    small.setPointSizeF(font.pointSizeF() * 0.85);
    return small;
}

int viewWidth(const QStyleOptionViewItem &option)
{
    if (const auto *view = qobject_cast<const QAbstractItemView *>(option.widget))
        return view->viewport()->width();
    return option.rect.width() > 0 ? option.rect.width() : 480;
}

} // namespace

struct MessageDelegate::Geometry
{
    QRect daySeparator; // null if none
    QString dayLabel;
    QRect newMarker; // null if none
    QRect message; // the message itself (hover background)
    QRect avatar; // null in a grouped row
    QRect header; // name and time; null in a grouped row
    QPoint bodyOrigin;
    int firstLineHeight = 0;
    int height = 0;
};

MessageDelegate::MessageDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

void MessageDelegate::setNewMarkerId(qint64 id)
{
    if (m_newMarkerId == id)
        return;
    m_newMarkerId = id;
    m_heights.clear();
}

QString MessageDelegate::layoutText(const QModelIndex &index) const
{
    if (index.data(MessageModel::DeletedRole).toBool())
        return tr("This message was deleted.");
    QString text = index.data(MessageModel::BodyRole).toString();
    if (index.data(MessageModel::EditedRole).toBool())
        text += QStringLiteral("\u2002") + tr("(edited)");
    return text;
}

QList<TextLink> MessageDelegate::links(const QModelIndex &index) const
{
    if (index.data(MessageModel::DeletedRole).toBool())
        return {};
    return findLinks(index.data(MessageModel::BodyRole).toString());
}

bool MessageDelegate::startsDay(const QModelIndex &index) const
{
    const QModelIndex previous = index.sibling(index.row() - 1, 0);
    return !previous.isValid() || localDate(timestampOf(previous)) != localDate(timestampOf(index));
}

bool MessageDelegate::startsGroup(const QModelIndex &index) const
{
    const QModelIndex previous = index.sibling(index.row() - 1, 0);
    if (!previous.isValid() || startsDay(index))
        return true;
    if (m_newMarkerId != 0 && index.data(MessageModel::IdRole).toLongLong() == m_newMarkerId)
        return true;
    if (previous.data(MessageModel::UserIdRole).toString()
        != index.data(MessageModel::UserIdRole).toString())
        return true;
    return std::abs(timestampOf(index) - timestampOf(previous)) >= groupWindowMs;
}

QString MessageDelegate::dayLabel(const QDate &date, const QDate &today)
{
    if (date == today)
        return tr("Today");
    if (date == today.addDays(-1))
        return tr("Yesterday");
    return QLocale().toString(date,
                              date.year() == today.year() ? QStringLiteral("dddd, d MMMM")
                                                          : QStringLiteral("d MMMM yyyy"));
}

void MessageDelegate::prepareBody(QTextLayout &layout, const QModelIndex &index, const QFont &font,
                                  const QPalette &palette, int width) const
{
    const bool deleted = index.data(MessageModel::DeletedRole).toBool();
    QString text = layoutText(index);
    // Plain text: a newline becomes a line separator, nothing else is interpreted.
    text.replace(QLatin1Char('\n'), QChar::LineSeparator);
    QFont bodyFont = font;
    bodyFont.setItalic(deleted);
    layout.setText(text);
    layout.setFont(bodyFont);
    QTextOption textOption;
    textOption.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    // A message in Arabic or Hebrew reads from the right edge; the rest from the left.
    // (QTextLayout aligns by the visual edge it is told, whatever the direction.)
    const bool rightToLeft = text.isRightToLeft();
    textOption.setTextDirection(rightToLeft ? Qt::RightToLeft : Qt::LeftToRight);
    textOption.setAlignment(rightToLeft ? Qt::AlignRight : Qt::AlignLeft);
    layout.setTextOption(textOption);

    QList<QTextLayout::FormatRange> formats;
    for (const TextLink &link : links(index)) {
        QTextLayout::FormatRange range;
        range.start = link.start;
        range.length = link.length;
        range.format.setForeground(palette.color(QPalette::Link));
        range.format.setFontUnderline(true);
        formats.append(range);
    }
    const int bodyLength = int(index.data(MessageModel::BodyRole).toString().size());
    if (!deleted && text.size() > bodyLength) {
        QTextLayout::FormatRange suffix;
        suffix.start = bodyLength;
        suffix.length = int(text.size()) - bodyLength;
        suffix.format.setForeground(palette.color(QPalette::PlaceholderText));
        formats.append(suffix);
    }
    if (const auto selected = m_selection ? m_selection->rangeIn(index, int(text.size()))
                                          : std::nullopt) {
        QTextLayout::FormatRange range;
        range.start = selected->first;
        range.length = selected->second - selected->first;
        range.format.setBackground(palette.color(QPalette::Highlight));
        range.format.setForeground(palette.color(QPalette::HighlightedText));
        formats.append(range);
    }
    layout.setFormats(formats);

    layout.beginLayout();
    qreal y = 0;
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(width);
        line.setPosition(QPointF(0, y));
        y += line.height();
    }
    layout.endLayout();
}

MessageDelegate::Geometry MessageDelegate::geometry(const QModelIndex &index, const QRect &rect,
                                                    const QFont &font, QTextLayout *layout) const
{
    Geometry g;
    const QFontMetrics metrics(font);
    int y = rect.top();
    if (startsDay(index)) {
        g.dayLabel = dayLabel(localDate(timestampOf(index)), QDate::currentDate());
        g.daySeparator = QRect(rect.left(), y, rect.width(), metrics.height() + 22);
        y += g.daySeparator.height();
    }
    if (m_newMarkerId != 0 && index.data(MessageModel::IdRole).toLongLong() == m_newMarkerId) {
        g.newMarker
            = QRect(rect.left(), y, rect.width(), QFontMetrics(smallFont(font)).height() + 8);
        y += g.newMarker.height();
    }
    const bool head = startsGroup(index);
    const int top = y;
    y += head ? 8 : 4; // a grouped message still reads as a message of its own, not a wrapped line
    const int bodyWidth = qMax(40, rect.width() - contentLeft - rightMargin);
    if (head) {
        QFont bold = font;
        bold.setBold(true);
        const int headerHeight = QFontMetrics(bold).height();
        g.avatar = QRect(rect.left() + leftMargin, y + 1, avatarSize, avatarSize);
        g.header = QRect(rect.left() + contentLeft, y, bodyWidth, headerHeight);
        y += headerHeight + 1;
    }
    g.bodyOrigin = QPoint(rect.left() + contentLeft, y);
    int bodyHeight = metrics.height();
    if (layout) {
        prepareBody(*layout, index, font, {}, bodyWidth);
        bodyHeight = qMax(bodyHeight, int(std::ceil(layout->boundingRect().height())));
        if (layout->lineCount() > 0)
            g.firstLineHeight = int(std::ceil(layout->lineAt(0).height()));
    }
    y += bodyHeight + 2;
    if (head)
        y = qMax(y, g.avatar.bottom() + 1);
    g.message = QRect(rect.left(), top, rect.width(), y - top);
    g.height = y - rect.top();
    return g;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const int width = viewWidth(option);
    const QString body = index.data(MessageModel::BodyRole).toString();
    const QString key
        = QStringLiteral("%1|%2|%3|%4%5%6%7%8|%9")
              .arg(index.data(MessageModel::IdRole).toLongLong())
              .arg(index.data(MessageModel::ClientIdRole).toString())
              .arg(width)
              .arg(int(startsDay(index)))
              .arg(int(startsGroup(index)))
              .arg(int(index.data(MessageModel::IdRole).toLongLong() == m_newMarkerId))
              .arg(int(index.data(MessageModel::EditedRole).toBool()))
              .arg(int(index.data(MessageModel::DeletedRole).toBool()))
              .arg(qHash(body));
    if (auto it = m_heights.constFind(key); it != m_heights.constEnd())
        return { width, *it };
    QTextLayout layout;
    const int height = geometry(index, QRect(0, 0, width, 0), option.font, &layout).height;
    if (m_heights.size() > 20000)
        m_heights.clear();
    m_heights.insert(key, height);
    return { width, height };
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    if (m_paintObserver) {
        if (const qint64 id = index.data(MessageModel::IdRole).toLongLong(); id > 0)
            m_paintObserver(id);
    }
    const QPalette &palette = option.palette;
    QTextLayout layout;
    Geometry g = geometry(index, option.rect, option.font, nullptr);
    prepareBody(layout, index, option.font, palette,
                qMax(40, option.rect.width() - contentLeft - rightMargin));
    if (layout.lineCount() > 0)
        g.firstLineHeight = int(std::ceil(layout.lineAt(0).height()));

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::TextAntialiasing);
    if (!g.daySeparator.isNull())
        paintDaySeparator(painter, g.daySeparator, palette, g.dayLabel);
    if (!g.newMarker.isNull())
        paintNewMarker(painter, g.newMarker, palette);

    const bool hovered = option.state.testFlag(QStyle::State_MouseOver);
    if (hovered) {
        QColor fill = palette.color(QPalette::Highlight);
        fill.setAlphaF(0.07);
        painter->fillRect(g.message, fill);
    }

    const qint64 ts = timestampOf(index);
    const QFont small = smallFont(option.font);
    if (!g.avatar.isNull()) {
        const QString userId = index.data(MessageModel::UserIdRole).toString();
        const QString nick = index.data(MessageModel::NickRole).toString();
        UserColors::paintAvatar(painter, g.avatar, userId, nick);
        QFont bold = option.font;
        bold.setBold(true);
        const QFontMetrics boldMetrics(bold);
        // The name takes what the time leaves of the row; it is cut (with "…") only then, and
        // drawn in a box of its own width, so a right-to-left name never runs over the time.
        const QString time = timeText(ts);
        const int timeWidth = QFontMetrics(small).horizontalAdvance(time);
        const QString shownNick = boldMetrics.elidedText(
            index.data(MessageModel::DisplayNameRole).toString(), Qt::ElideRight,
            qMax(avatarSize, g.header.width() - timeWidth - headerGap));
        const int nickWidth = qMin(boldMetrics.horizontalAdvance(shownNick), g.header.width());
        painter->setFont(bold);
        painter->setPen(UserColors::nickColor(userId, palette));
        painter->drawText(QRect(g.header.topLeft(), QSize(nickWidth, g.header.height())),
                          Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, shownNick);
        painter->setFont(small);
        painter->setPen(palette.color(QPalette::PlaceholderText));
        const QRect timeRect = g.header.adjusted(nickWidth + headerGap, 0, 0, 0);
        painter->drawText(timeRect, Qt::AlignLeft | Qt::AlignVCenter, time);
    } else if (hovered) {
        // A grouped row shows its time in the avatar column while hovered.
        painter->setFont(small);
        painter->setPen(palette.color(QPalette::PlaceholderText));
        const QRect gutter(option.rect.left() + 2, g.bodyOrigin.y(), contentLeft - 8,
                           qMax(g.firstLineHeight, 1));
        painter->drawText(gutter, Qt::AlignRight | Qt::AlignVCenter, timeText(ts));
    }

    const ChatMessage::State state = stateOf(index);
    const bool muted
        = state == ChatMessage::State::Pending || index.data(MessageModel::DeletedRole).toBool();
    painter->setPen(palette.color(muted ? QPalette::PlaceholderText : QPalette::Text));
    painter->setFont(option.font);
    layout.draw(painter, g.bodyOrigin);

    if (state != ChatMessage::State::Sent) {
        const bool failed = state == ChatMessage::State::Failed;
        const QRect iconRect(option.rect.right() - rightMargin + 12,
                             g.bodyOrigin.y() + (g.firstLineHeight - stateIconSize) / 2,
                             stateIconSize, stateIconSize);
        Icons::icon(failed ? QStringLiteral("warning") : QStringLiteral("clock"),
                    palette.color(QPalette::PlaceholderText))
            .paint(painter, iconRect);
    }
    painter->restore();
}

void MessageDelegate::paintDaySeparator(QPainter *painter, const QRect &rect,
                                        const QPalette &palette, const QString &label) const
{
    QFont font = painter->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 0.85);
    const QFontMetrics metrics(font);
    const int textWidth = metrics.horizontalAdvance(label) + 24;
    const int y = rect.center().y() + 2;
    QColor line = palette.color(QPalette::PlaceholderText);
    line.setAlphaF(0.35);
    painter->setPen(QPen(line, 1));
    const int middle = rect.center().x();
    painter->drawLine(rect.left() + leftMargin, y, middle - textWidth / 2, y);
    painter->drawLine(middle + textWidth / 2, y, rect.right() - leftMargin, y);
    painter->setFont(font);
    painter->setPen(palette.color(QPalette::PlaceholderText));
    painter->drawText(
        QRect(middle - textWidth / 2, y - metrics.height() / 2 - 1, textWidth, metrics.height()),
        Qt::AlignCenter, label);
}

void MessageDelegate::paintNewMarker(QPainter *painter, const QRect &rect,
                                     const QPalette &palette) const
{
    const QFont font = smallFont(painter->font());
    const QFontMetrics metrics(font);
    const QString label = tr("New messages");
    const int labelWidth = metrics.horizontalAdvance(label) + 12;
    const int y = rect.center().y();
    const QColor accent = palette.color(QPalette::Highlight);
    painter->setPen(QPen(accent, 1));
    painter->drawLine(rect.left() + leftMargin, y, rect.right() - leftMargin - labelWidth, y);
    const QRect pill(rect.right() - leftMargin - labelWidth, y - metrics.height() / 2 - 1,
                     labelWidth, metrics.height() + 2);
    painter->setPen(Qt::NoPen);
    painter->setBrush(accent);
    painter->drawRoundedRect(pill, 4, 4);
    painter->setFont(font);
    painter->setPen(palette.color(QPalette::HighlightedText));
    painter->drawText(pill, Qt::AlignCenter, label);
}

std::optional<QUrl> MessageDelegate::linkAt(const QModelIndex &index, const QRect &rect,
                                            const QPoint &pos, const QFont &font) const
{
    const QList<TextLink> found = links(index);
    if (found.isEmpty())
        return std::nullopt;
    QTextLayout layout;
    const Geometry g = geometry(index, rect, font, &layout);
    const QPointF local = QPointF(pos - g.bodyOrigin);
    for (int i = 0; i < layout.lineCount(); ++i) {
        const QTextLine line = layout.lineAt(i);
        if (local.y() < line.y() || local.y() >= line.y() + line.height())
            continue;
        const QRectF natural = line.naturalTextRect(); // right-aligned for right-to-left
        if (local.x() < natural.left() || local.x() > natural.right())
            return std::nullopt;
        const int cursor = line.xToCursor(local.x(), QTextLine::CursorOnCharacter);
        for (const TextLink &link : found) {
            if (cursor >= link.start && cursor < link.start + link.length)
                return link.url;
        }
        return std::nullopt;
    }
    return std::nullopt;
}

int MessageDelegate::cursorAt(const QModelIndex &index, const QRect &rect, const QPoint &pos,
                              const QFont &font) const
{
    QTextLayout layout;
    const Geometry g = geometry(index, rect, font, &layout);
    const QPointF local = QPointF(pos - g.bodyOrigin);
    if (layout.lineCount() == 0 || local.y() < 0)
        return 0;
    for (int i = 0; i < layout.lineCount(); ++i) {
        const QTextLine line = layout.lineAt(i);
        if (local.y() < line.y() + line.height())
            return line.xToCursor(local.x(), QTextLine::CursorBetweenCharacters);
    }
    return int(layout.text().size());
}

bool MessageDelegate::helpEvent(QHelpEvent *event, QAbstractItemView *view,
                                const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (event->type() != QEvent::ToolTip || !index.isValid())
        return QStyledItemDelegate::helpEvent(event, view, option, index);
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(timestampOf(index));
    // Who wrote it, for sure: the author's fingerprint, not only a nick anyone may choose.
    QString tip = tr("%1, %2\nFingerprint %3")
                          .arg(index.data(MessageModel::DisplayNameRole).toString(),
                               QLocale().toString(when, QLocale::LongFormat),
                               index.data(MessageModel::FingerprintRole).toString());
    switch (stateOf(index)) {
    case ChatMessage::State::Pending:
        tip = tr("Sending…");
        break;
    case ChatMessage::State::Failed:
        tip = tr("Not sent. Right-click it to send it again.");
        break;
    case ChatMessage::State::Sent:
        break;
    }
    if (const auto url = linkAt(index, option.rect, event->pos(), option.font))
        tip = url->toString();
    QToolTip::showText(event->globalPos(), tip, view);
    return true;
}

} // namespace Parley::Ui
