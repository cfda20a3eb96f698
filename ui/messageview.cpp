#include "ui/messageview.h"

#include "client/messagemodel.h"
#include "ui/icons.h"
#include "ui/messagedelegate.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDesktopServices>
#include <QKeyEvent>
#include <QMenu>
#include <QPainter>
#include <QPushButton>
#include <QScrollBar>

namespace Parley::Ui {

using Client::ChatMessage;
using Client::MessageModel;

MessageView::MessageView(QWidget *parent)
    : QListView(parent)
    , m_delegate(new MessageDelegate(this))
    , m_firstUnreadBar(new QPushButton(this))
    , m_presentBar(new QPushButton(this))
{
    const QPalette::ColorRole ink = QPalette::HighlightedText;
    m_firstUnreadBar->setObjectName(QStringLiteral("jumpToFirstUnread"));
    m_presentBar->setObjectName(QStringLiteral("jumpToPresent"));
    m_presentBar->setIcon(Icons::icon(QStringLiteral("chevron-down"), ink));
    for (QPushButton *bar : { m_firstUnreadBar, m_presentBar }) {
        bar->setCursor(Qt::PointingHandCursor);
        bar->setFocusPolicy(Qt::NoFocus);
        bar->setStyleSheet(QStringLiteral(
            "QPushButton { background: palette(highlight); color: palette(highlighted-text);"
            " border: none; border-radius: 10px; padding: 4px 14px; }"));
        bar->hide();
    }
    connect(m_firstUnreadBar, &QPushButton::clicked, this, [this] {
        const int row = markerRow();
        if (row >= 0) {
            m_atBottom = false;
            scrollTo(m_model->index(row), QAbstractItemView::PositionAtTop);
        }
        m_firstUnreadBar->hide();
    });
    connect(m_presentBar, &QPushButton::clicked, this, [this] {
        scrollToBottom();
        updateJumpBars();
    });
    setItemDelegate(m_delegate);
    m_delegate->setSelection(&m_selection);
    setFrameShape(QFrame::NoFrame);
    setSelectionMode(QAbstractItemView::NoSelection); // rows are not selected: text is
    setFocusPolicy(Qt::ClickFocus); // for Ctrl+C; typing goes on to the composer
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setResizeMode(QListView::Adjust);
    setUniformItemSizes(false);
    setWordWrap(true);
    setMouseTracking(true);
    setAttribute(Qt::WA_Hover);
    setMinimumSize(300, 200);
    verticalScrollBar()->setSingleStep(24);
    // A slim, flat scroll bar, as chat apps have: no arrows, a rounded handle. (The style's
    // gradient bar was a tenth of the cost of each new message, redrawn as the range grows.)
    verticalScrollBar()->setStyleSheet(QStringLiteral(
        "QScrollBar:vertical { background: transparent; width: 10px; margin: 2px; }"
        "QScrollBar::handle:vertical { background: palette(mid); border-radius: 3px;"
        " min-height: 32px; }"
        "QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; }"
        "QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical { background: none; }"));

    m_olderTimeout.setSingleShot(true);
    m_olderTimeout.setInterval(10'000);
    connect(&m_olderTimeout, &QTimer::timeout, this, [this] { m_loadingOlder = false; });
    connect(verticalScrollBar(), &QScrollBar::rangeChanged, this, &MessageView::onRangeChanged);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &MessageView::onScrolled);
    connect(this, &MessageView::linkActivated, this,
            [](const QUrl &url) { QDesktopServices::openUrl(url); });
}

void MessageView::setMessages(Client::MessageModel *model, int unread)
{
    if (m_model) {
        disconnect(m_model, nullptr, this, nullptr);
        m_model->setTrimPaused(false); // in the background, its unread ones are kept
    }
    m_model = model;
    m_loadingOlder = false;
    m_keepFromBottom = -1;
    m_atBottom = true;
    m_markAfter = 0;
    m_newBelow = 0;
    m_selection.clear();
    m_selecting = false;
    m_restore = {};
    qint64 markerId = 0;
    if (model && unread > 0 && unread <= model->rowCount())
        markerId = model->data(model->index(model->rowCount() - unread), MessageModel::IdRole)
                       .toLongLong();
    m_delegate->setNewMarkerId(markerId);
    QItemSelectionModel *oldSelection = selectionModel();
    setModel(model);
    delete oldSelection; // setModel() makes a new one each time and leaves the old to us
    if (model) {
        connect(model, &QAbstractItemModel::rowsAboutToBeInserted, this,
                &MessageView::onRowsAboutToBeInserted);
        connect(model, &QAbstractItemModel::rowsInserted, this, &MessageView::onRowsInserted);
        // Shown names are not part of the laid-out rows' keys: a change of them (someone
        // took a nick another person has) lays the rows out again.
        connect(model, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &, const QModelIndex &, const QList<int> &roles) {
                    if (roles.isEmpty() || roles.contains(MessageModel::DisplayNameRole))
                        m_delegate->clearCache();
                });
        connect(model, &MessageModel::historyLoaded, this, [this] {
            m_loadingOlder = false;
            m_olderTimeout.stop();
        });
    }
    scrollToBottom();
    updateTrimming();
    QTimer::singleShot(0, this, &MessageView::updateJumpBars); // once laid out
}

Client::MessageModel *MessageView::messages() const
{
    return m_model;
}

void MessageView::scrollToBottom()
{
    m_atBottom = true;
    QListView::scrollToBottom();
}

void MessageView::clearNewMarker()
{
    if (m_delegate->newMarkerId() == 0)
        return;
    m_delegate->setNewMarkerId(0);
    scheduleDelayedItemsLayout();
    updateJumpBars();
    updateTrimming();
}

void MessageView::setNewMarkerAfter(qint64 lastReadId)
{
    m_markAfter = lastReadId;
    if (m_model && m_model->rowCount() > 0)
        onRowsInserted({}, 0, m_model->rowCount() - 1);
    updateTrimming();
}

MessageView::ScrollPosition MessageView::scrollPosition() const
{
    if (!m_model || m_atBottom)
        return {};
    for (int y = 0; y < viewport()->height(); y += 8) {
        const QModelIndex index = indexAt(QPoint(viewport()->width() / 2, y));
        if (!index.isValid())
            break;
        const qint64 id = index.data(MessageModel::IdRole).toLongLong();
        if (id > 0)
            return { id, -visualRect(index).top() };
        y = visualRect(index).bottom(); // a pending message: the next one
    }
    return {};
}

void MessageView::restoreScrollPosition(const ScrollPosition &position)
{
    m_restore = position;
    tryRestore();
}

void MessageView::tryRestore()
{
    if (!m_model || m_restore.topId == 0 || m_model->rowCount() == 0)
        return;
    const int row = m_model->rowOfId(m_restore.topId);
    if (row < 0) {
        // Older than what is loaded: to the top, which asks for the page before.
        if (m_model->hasMore() && m_model->oldestId() > m_restore.topId) {
            doItemsLayout();
            m_atBottom = false;
            verticalScrollBar()->setValue(verticalScrollBar()->minimum());
            maybeRequestOlder();
        } else {
            m_restore = {}; // gone from the hub: stay where the view is
        }
        return;
    }
    const ScrollPosition position = std::exchange(m_restore, {});
    doItemsLayout();
    m_atBottom = false;
    scrollTo(m_model->index(row), QAbstractItemView::PositionAtTop);
    verticalScrollBar()->setValue(verticalScrollBar()->value() + position.offset);
    m_atBottom = verticalScrollBar()->value() >= verticalScrollBar()->maximum() - 4;
    updateJumpBars();
}

void MessageView::onRowsAboutToBeInserted(const QModelIndex &, int first, int)
{
    // History prepended above what the user looks at: keep the same messages in view.
    if (first == 0 && m_model && m_model->rowCount() > 0 && !m_atBottom)
        m_keepFromBottom = verticalScrollBar()->maximum() - verticalScrollBar()->value();
}

void MessageView::onRowsInserted(const QModelIndex &, int first, int last)
{
    if (m_restore.topId != 0)
        QTimer::singleShot(0, this, &MessageView::tryRestore); // once the rows are laid out
    if (!m_model || (first == 0 && last + 1 < m_model->rowCount()))
        return; // a history page: onRangeChanged keeps the place
    if (m_markAfter > 0 && m_delegate->newMarkerId() == 0) {
        for (int row = first; row <= last; ++row) {
            const QModelIndex index = m_model->index(row);
            if (!index.data(MessageModel::IsOwnRole).toBool()
                && index.data(MessageModel::IdRole).toLongLong() > m_markAfter) {
                m_delegate->setNewMarkerId(index.data(MessageModel::IdRole).toLongLong());
                m_markAfter = 0;
                scheduleDelayedItemsLayout();
                break;
            }
        }
    }
    // A message from someone else while the window is in the background: mark where the
    // unread ones start, unless a mark is already shown.
    if (m_delegate->newMarkerId() == 0 && !window()->isActiveWindow()) {
        for (int row = first; row <= last; ++row) {
            const QModelIndex index = m_model->index(row);
            if (!index.data(MessageModel::IsOwnRole).toBool()
                && index.data(MessageModel::IdRole).toLongLong() > 0) {
                m_delegate->setNewMarkerId(index.data(MessageModel::IdRole).toLongLong());
                break;
            }
        }
    }
    if (m_atBottom) {
        // Nothing now: the view lays the rows out once per pass of the event loop however many
        // arrived, and onRangeChanged() keeps it at the bottom then (scrolling here would lay
        // everything out again for each message of a burst).
    } else {
        for (int row = first; row <= last; ++row) {
            if (!m_model->index(row).data(MessageModel::IsOwnRole).toBool())
                ++m_newBelow;
        }
    }
    QTimer::singleShot(0, this, &MessageView::updateJumpBars);
}

int MessageView::markerRow() const
{
    const qint64 marker = m_delegate->newMarkerId();
    if (!m_model || marker == 0)
        return -1;
    for (int row = m_model->rowCount() - 1; row >= 0; --row) {
        if (m_model->index(row).data(MessageModel::IdRole).toLongLong() == marker)
            return row;
    }
    return -1;
}

void MessageView::updateJumpBars()
{
    if (m_atBottom)
        m_newBelow = 0;
    // The line above what is shown: offer to go there.
    const int row = markerRow();
    const bool lineAbove = row >= 0 && visualRect(m_model->index(row)).bottom() < 0;
    if (lineAbove) {
        const int unread = m_model->rowCount() - row;
        m_firstUnreadBar->setText(tr("↑  %n unread — Jump to first unread", nullptr, unread));
    }
    m_firstUnreadBar->setVisible(lineAbove);
    // Scrolled up while others write: say how many are below.
    const bool away = !m_atBottom && m_model && m_model->rowCount() > 0;
    if (away)
        m_presentBar->setText(m_newBelow > 0 ? tr("%n new — Jump to present", nullptr, m_newBelow)
                                             : tr("Jump to present"));
    m_presentBar->setVisible(away);
    placeJumpBars();
    updateTrimming(); // a "new messages" line may have been placed
}

void MessageView::placeJumpBars()
{
    const QRect area = viewport()->geometry();
    for (QPushButton *bar : { m_firstUnreadBar, m_presentBar }) {
        bar->ensurePolished();
        bar->adjustSize();
        const int x = area.left() + (area.width() - bar->width()) / 2;
        const int y = bar == m_firstUnreadBar ? area.top() + 8 : area.bottom() - bar->height() - 8;
        bar->move(x, y);
        bar->raise();
    }
}

void MessageView::onRangeChanged(int, int max)
{
    if (m_keepFromBottom >= 0) {
        verticalScrollBar()->setValue(max - m_keepFromBottom);
        m_keepFromBottom = -1;
    } else if (m_atBottom) {
        verticalScrollBar()->setValue(max);
    }
    maybeRequestOlder();
}

void MessageView::updateTrimming()
{
    // The window of rows moves only while the user is at the bottom with nothing unread above:
    // what they scroll back to, and the "new messages" line, stay.
    if (m_model)
        m_model->setTrimPaused(!m_atBottom || m_delegate->newMarkerId() != 0 || m_markAfter > 0);
}

void MessageView::onScrolled(int value)
{
    m_atBottom = value >= verticalScrollBar()->maximum() - 4;
    updateTrimming();
    maybeRequestOlder();
    updateJumpBars();
}

void MessageView::maybeRequestOlder()
{
    // At the top (or everything fits): ask for the page before the oldest message once.
    if (!m_model || m_loadingOlder || !m_model->hasMore() || m_model->rowCount() == 0)
        return;
    if (verticalScrollBar()->value() > verticalScrollBar()->minimum())
        return;
    m_loadingOlder = true;
    m_olderTimeout.start();
    emit olderRequested();
}

std::optional<QUrl> MessageView::linkAt(const QPoint &pos) const
{
    const QModelIndex index = indexAt(pos);
    if (!index.isValid())
        return std::nullopt;
    return m_delegate->linkAt(index, visualRect(index), pos, font());
}

std::pair<QModelIndex, int> MessageView::textPositionAt(const QPoint &pos) const
{
    if (!m_model || m_model->rowCount() == 0)
        return {};
    QModelIndex index = indexAt(pos);
    if (!index.isValid()) {
        // Above the first row shown or below the last: the nearest end.
        const QModelIndex top = indexAt(QPoint(pos.x(), 0));
        index = pos.y() < 0 && top.isValid() ? top : m_model->index(m_model->rowCount() - 1);
        if (pos.y() < 0)
            return { index, 0 };
        return { index, int(m_delegate->layoutText(index).size()) };
    }
    return { index, m_delegate->cursorAt(index, visualRect(index), pos, font()) };
}

void MessageView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (m_selecting && event->buttons().testFlag(Qt::LeftButton)) {
        const auto [index, position] = textPositionAt(pos);
        m_selection.extend(index, position);
        // Dragging past the top or the bottom scrolls on.
        if (pos.y() < 0 || pos.y() > viewport()->height())
            verticalScrollBar()->setValue(verticalScrollBar()->value() + (pos.y() < 0 ? -20 : 20));
        viewport()->update();
    }
    viewport()->setCursor(linkAt(pos) ? Qt::PointingHandCursor : Qt::IBeamCursor);
    QListView::mouseMoveEvent(event);
}

void MessageView::mousePressEvent(QMouseEvent *event)
{
    m_pressPos = event->position().toPoint();
    if (event->button() == Qt::LeftButton) {
        const auto [index, position] = textPositionAt(m_pressPos);
        m_selection.start(index, position);
        m_selecting = index.isValid();
        viewport()->update();
    }
    QListView::mousePressEvent(event);
}

void MessageView::mouseReleaseEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (event->button() == Qt::LeftButton) {
        m_selecting = false;
        if ((pos - m_pressPos).manhattanLength() < QApplication::startDragDistance()) {
            m_selection.clear(); // a click: no selection, maybe a link
            viewport()->update();
            if (const auto url = linkAt(pos)) {
                emit linkActivated(*url);
                return;
            }
        }
    }
    QListView::mouseReleaseEvent(event);
}

void MessageView::mouseDoubleClickEvent(QMouseEvent *event)
{
    const auto [index, position] = textPositionAt(event->position().toPoint());
    if (event->button() != Qt::LeftButton || !index.isValid()) {
        QListView::mouseDoubleClickEvent(event);
        return;
    }
    const auto [from, to] = MessageSelection::wordAt(m_delegate->layoutText(index), position);
    m_selection.select(index, from, to);
    m_selecting = false;
    viewport()->update();
}

void MessageView::keyPressEvent(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy)) {
        copySelection();
        return;
    }
    const bool writes = !event->text().isEmpty() && event->text().at(0).isPrint()
        && !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier));
    if (writes) {
        emit typedWhileReading(event);
        return;
    }
    QListView::keyPressEvent(event);
}

void MessageView::copySelection() const
{
    const QString text = m_selection.text();
    if (!text.isEmpty())
        QApplication::clipboard()->setText(text);
}

void MessageView::contextMenuEvent(QContextMenuEvent *event)
{
    if (const std::unique_ptr<QMenu> menu = contextMenuAt(event->pos()))
        menu->exec(event->globalPos());
}

std::unique_ptr<QMenu> MessageView::contextMenuAt(const QPoint &pos)
{
    const QModelIndex index = indexAt(pos);
    if (!index.isValid())
        return nullptr;
    const QString body = index.data(MessageModel::BodyRole).toString();
    const qint64 id = index.data(MessageModel::IdRole).toLongLong();
    const bool deleted = index.data(MessageModel::DeletedRole).toBool();
    const bool editable = index.data(MessageModel::IsOwnRole).toBool() && id > 0 && !deleted;
    const QPalette::ColorRole ink = QPalette::WindowText;

    auto menu = std::make_unique<QMenu>(this);
    const auto state = Client::ChatMessage::State(index.data(MessageModel::StateRole).toInt());
    if (state == Client::ChatMessage::State::Failed && index.data(MessageModel::IsOwnRole).toBool()) {
        const QString clientId = index.data(MessageModel::ClientIdRole).toString();
        menu->addAction(Icons::icon(QStringLiteral("refresh"), ink), tr("Send again"), this,
                       [this, clientId] { emit retryRequested(clientId); });
        menu->addSeparator();
    }
    if (const auto url = linkAt(pos)) {
        menu->addAction(tr("Open link"), this, [this, url] { emit linkActivated(*url); });
        menu->addAction(tr("Copy link"), this,
                       [url] { QApplication::clipboard()->setText(url->toString()); });
        menu->addSeparator();
    }
    if (m_selection.rangeIn(index, int(m_delegate->layoutText(index).size())))
        menu->addAction(Icons::icon(QStringLiteral("copy"), ink), tr("Copy selection"), this,
                        &MessageView::copySelection);
    QAction *copy
        = menu->addAction(Icons::icon(QStringLiteral("copy"), ink), tr("Copy whole message"), this,
                          [body] { QApplication::clipboard()->setText(body); });
    copy->setEnabled(!deleted);
    if (editable) {
        menu->addSeparator();
        menu->addAction(Icons::icon(QStringLiteral("edit"), ink), tr("Edit…"), this,
                       [this, id, body] { emit editRequested(id, body); });
        menu->addAction(Icons::icon(QStringLiteral("delete"), ink), tr("Delete"), this,
                       [this, id] { emit deleteRequested(id); });
    }
    return menu;
}

void MessageView::resizeEvent(QResizeEvent *event)
{
    const bool atBottom = m_atBottom;
    QListView::resizeEvent(event);
    m_atBottom = atBottom;
    placeJumpBars();
}

void MessageView::paintEvent(QPaintEvent *event)
{
    QListView::paintEvent(event);
    if (!m_model || m_model->rowCount() > 0)
        return;
    QPainter painter(viewport());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(viewport()->rect().adjusted(20, 20, -20, -20),
                     Qt::AlignCenter | Qt::TextWordWrap, tr("No messages yet. Say hello!"));
}

void MessageView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::FontChange || event->type() == QEvent::PaletteChange)
        m_delegate->clearCache();
    QListView::changeEvent(event);
}

} // namespace Parley::Ui
