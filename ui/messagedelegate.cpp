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
#include <QPixmapCache>
#include <QStaticText>
#include <QTextLayout>
#include <QToolTip>

#include <cmath>
#include <memory>

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

// The time a message is shown with: a pending one (no hub time yet) is "now".
qint64 shownTime(qint64 ts)
{
    return ts > 0 ? ts : QDateTime::currentMSecsSinceEpoch();
}

qint64 shownTime(const ChatMessage &message)
{
    return shownTime(message.ts);
}

qint64 shownTime(const QModelIndex &index)
{
    return shownTime(index.data(MessageModel::TimestampRole).toLongLong());
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

// What a row paints, worked out once per message, width and neighbourhood: geometry at (0, 0),
// the body laid out, its links, the time and the name as shown.
struct MessageDelegate::Row
{
    Geometry g;
    QTextLayout layout;
    QList<TextLink> links;
    QString userId;
    QString nick;
    QString displayName;
    QString time;
    QStaticText timeText; // laid out once, drawn on every paint
    int timeWidth = 0;
    QString shownNick; // elided to what the time leaves
    int nickWidth = 0;
};

MessageDelegate::MessageDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

void MessageDelegate::setNewMarkerId(qint64 id)
{
    if (m_newMarkerId == id)
        return;
    m_newMarkerId = id; // part of the rows' keys: the rows around it are laid out again
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

namespace {

const MessageModel *messagesOf(const QModelIndex &index)
{
    return qobject_cast<const MessageModel *>(index.model());
}

} // namespace

bool MessageDelegate::startsDay(const QModelIndex &index) const
{
    const MessageModel *model = messagesOf(index);
    const int row = index.row();
    return !model || row == 0
        || LocalClock::date(shownTime(model->at(row - 1)))
        != LocalClock::date(shownTime(model->at(row)));
}

bool MessageDelegate::startsGroup(const QModelIndex &index) const
{
    return startsGroup(index, startsDay(index));
}

bool MessageDelegate::startsGroup(const QModelIndex &index, bool startsDay) const
{
    const MessageModel *model = messagesOf(index);
    const int row = index.row();
    if (!model || row == 0 || startsDay)
        return true;
    const ChatMessage &message = model->at(row);
    const ChatMessage &previous = model->at(row - 1);
    if (m_newMarkerId != 0 && message.id == m_newMarkerId)
        return true;
    if (previous.userId != message.userId)
        return true;
    return std::abs(shownTime(message) - shownTime(previous)) >= groupWindowMs;
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

void MessageDelegate::prepareBody(QTextLayout &layout, const QModelIndex &index,
                                  const QList<TextLink> &links, const QFont &font,
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
    layout.setCacheEnabled(true); // kept shaped: the row is drawn again on every frame

    QList<QTextLayout::FormatRange> formats;
    for (const TextLink &link : links) {
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

MessageDelegate::Geometry MessageDelegate::geometry(const QModelIndex &index, int width,
                                                    const QFont &font, bool day, bool head,
                                                    bool marker, QTextLayout *layout) const
{
    Geometry g;
    const QFontMetrics metrics(font);
    int y = 0;
    if (day) {
        g.dayLabel = dayLabel(LocalClock::date(shownTime(index)), LocalClock::today());
        g.daySeparator = QRect(0, y, width, metrics.height() + 22);
        y += g.daySeparator.height();
    }
    if (marker) {
        g.newMarker = QRect(0, y, width, QFontMetrics(smallFont(font)).height() + 8);
        y += g.newMarker.height();
    }
    const int top = y;
    y += head ? 8 : 4; // a grouped message still reads as a message of its own, not a wrapped line
    const int bodyWidth = qMax(40, width - contentLeft - rightMargin);
    if (head) {
        QFont bold = font;
        bold.setBold(true);
        const int headerHeight = QFontMetrics(bold).height();
        g.avatar = QRect(leftMargin, y + 1, avatarSize, avatarSize);
        g.header = QRect(contentLeft, y, bodyWidth, headerHeight);
        y += headerHeight + 1;
    }
    g.bodyOrigin = QPoint(contentLeft, y);
    const int bodyHeight = qMax(metrics.height(), int(std::ceil(layout->boundingRect().height())));
    if (layout->lineCount() > 0)
        g.firstLineHeight = int(std::ceil(layout->lineAt(0).height()));
    y += bodyHeight + 2;
    if (head)
        y = qMax(y, g.avatar.bottom() + 1);
    g.message = QRect(0, top, width, y - top);
    g.height = y;
    return g;
}

std::shared_ptr<const MessageDelegate::Row> MessageDelegate::row(const QModelIndex &index,
                                                                 int width, const QFont &font,
                                                                 const QPalette &palette) const
{
    static const auto none = std::make_shared<const Row>();
    const MessageModel *model = messagesOf(index);
    if (!model || !index.isValid())
        return none;
    // Read straight from the model's rows: a layout of the view asks this of every row.
    const ChatMessage &message = model->at(index.row());
    const bool day = startsDay(index);
    const bool head = startsGroup(index, day);
    const bool marker = m_newMarkerId != 0 && message.id == m_newMarkerId;
    RowKey key;
    key.id = message.id;
    if (message.id == 0)
        key.clientId = message.clientId;
    key.textHash = qHashMulti(0, message.body, message.nick);
    key.width = width;
    key.flags = int(day) | int(head) << 1 | int(marker) << 2 | int(message.edited) << 3
        | int(message.deleted) << 4 | int(message.state) << 5;
    key.today = day ? LocalClock::today().toJulianDay() : 0;
    // (A change of shown names clears the cache: MessageView, on dataChanged.)
    if (const auto it = m_rows.constFind(key); it != m_rows.cend())
        return *it;

    auto made = std::make_shared<Row>();
    made->displayName = model->displayName(message);
    made->userId = message.userId;
    made->nick = message.nick;
    made->links = links(index);
    prepareBody(made->layout, index, made->links, font, palette,
                qMax(40, width - contentLeft - rightMargin));
    made->g = geometry(index, width, font, day, head, marker, &made->layout);
    made->time = LocalClock::shortTime(shownTime(message));
    QFont small = smallFont(font);
    made->timeText.setText(made->time);
    made->timeText.setTextFormat(Qt::PlainText);
    made->timeText.prepare(QTransform(), small);
    made->timeWidth = int(std::ceil(made->timeText.size().width()));
    if (head) {
        // The name takes what the time leaves of the row; it is cut (with "…") only then, and
        // drawn in a box of its own width, so a right-to-left name never runs over the time.
        QFont bold = font;
        bold.setBold(true);
        const QFontMetrics boldMetrics(bold);
        made->shownNick = boldMetrics.elidedText(
            made->displayName, Qt::ElideRight,
            qMax(avatarSize, made->g.header.width() - made->timeWidth - headerGap));
        made->nickWidth
            = qMin(boldMetrics.horizontalAdvance(made->shownNick), made->g.header.width());
    }
    if (m_rows.size() >= maxCachedRows)
        m_rows.clear(); // a few screens of rows at a few widths: rebuilt as they are shown
    m_rows.insert(key, made);
    return made;
}

QPixmap MessageDelegate::avatar(const Row &row, const QSize &size, qreal ratio) const
{
    // Drawn once per person and size: a circle and initials are a lot of work per frame.
    const QString key = QStringLiteral("parley-avatar|%1|%2|%3x%4@%5")
                            .arg(row.userId, row.nick)
                            .arg(size.width())
                            .arg(size.height())
                            .arg(ratio);
    QPixmap pixmap;
    if (!QPixmapCache::find(key, &pixmap)) {
        pixmap = QPixmap(size * ratio);
        pixmap.setDevicePixelRatio(ratio);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        UserColors::paintAvatar(&painter, QRectF(QPointF(0, 0), QSizeF(size)), row.userId,
                                row.nick);
        painter.end();
        QPixmapCache::insert(key, pixmap);
    }
    return pixmap;
}

QSize MessageDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const int width = viewWidth(option);
    return { width, row(index, width, option.font, option.palette)->g.height };
}

void MessageDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    if (m_paintObserver) {
        if (const qint64 id = index.data(MessageModel::IdRole).toLongLong(); id > 0)
            m_paintObserver(id);
    }
    const QPalette &palette = option.palette;
    const std::shared_ptr<const Row> row
        = this->row(index, option.rect.width(), option.font, palette);
    const Geometry &g = row->g;

    painter->save();
    painter->translate(option.rect.topLeft());
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

    const QFont small = smallFont(option.font);
    const int smallHeight = QFontMetrics(small).height();
    if (!g.avatar.isNull()) {
        painter->drawPixmap(g.avatar.topLeft(),
                            avatar(*row, g.avatar.size(), painter->device()->devicePixelRatioF()));
        QFont bold = option.font;
        bold.setBold(true);
        painter->setFont(bold);
        painter->setPen(UserColors::nickColor(row->userId, palette));
        painter->drawText(QRect(g.header.topLeft(), QSize(row->nickWidth, g.header.height())),
                          Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, row->shownNick);
        painter->setFont(small);
        painter->setPen(palette.color(QPalette::PlaceholderText));
        painter->drawStaticText(g.header.left() + row->nickWidth + headerGap,
                                g.header.top() + (g.header.height() - smallHeight) / 2,
                                row->timeText);
    } else if (hovered) {
        // A grouped row shows its time in the avatar column while hovered.
        painter->setFont(small);
        painter->setPen(palette.color(QPalette::PlaceholderText));
        painter->drawStaticText(contentLeft - 6 - row->timeWidth,
                                g.bodyOrigin.y() + (g.firstLineHeight - smallHeight) / 2,
                                row->timeText);
    }

    const ChatMessage::State state = stateOf(index);
    const bool muted
        = state == ChatMessage::State::Pending || index.data(MessageModel::DeletedRole).toBool();
    painter->setPen(palette.color(muted ? QPalette::PlaceholderText : QPalette::Text));
    painter->setFont(option.font);
    // The selection is drawn over the laid-out text, which stays as it was laid out.
    QList<QTextLayout::FormatRange> selections;
    if (const auto selected = m_selection
            ? m_selection->rangeIn(index, int(row->layout.text().size()))
            : std::nullopt) {
        QTextLayout::FormatRange range;
        range.start = selected->first;
        range.length = selected->second - selected->first;
        range.format.setBackground(palette.color(QPalette::Highlight));
        range.format.setForeground(palette.color(QPalette::HighlightedText));
        selections.append(range);
    }
    row->layout.draw(painter, g.bodyOrigin, selections);

    if (state != ChatMessage::State::Sent) {
        const bool failed = state == ChatMessage::State::Failed;
        const QRect iconRect(option.rect.width() - rightMargin + 12,
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
    const std::shared_ptr<const Row> row = this->row(index, rect.width(), font, QPalette());
    if (row->links.isEmpty())
        return std::nullopt;
    const QPointF local = QPointF(pos - rect.topLeft() - row->g.bodyOrigin);
    for (int i = 0; i < row->layout.lineCount(); ++i) {
        const QTextLine line = row->layout.lineAt(i);
        if (local.y() < line.y() || local.y() >= line.y() + line.height())
            continue;
        const QRectF natural = line.naturalTextRect(); // right-aligned for right-to-left
        if (local.x() < natural.left() || local.x() > natural.right())
            return std::nullopt;
        const int cursor = line.xToCursor(local.x(), QTextLine::CursorOnCharacter);
        for (const TextLink &link : row->links) {
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
    const std::shared_ptr<const Row> row = this->row(index, rect.width(), font, QPalette());
    const QTextLayout &layout = row->layout;
    const QPointF local = QPointF(pos - rect.topLeft() - row->g.bodyOrigin);
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
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(shownTime(index));
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
