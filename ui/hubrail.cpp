#include "ui/hubrail.h"

#include "client/chatsession.h"
#include "client/hublistmodel.h"
#include "ui/icons.h"
#include "ui/usercolors.h"

#include <QListView>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>
#include <QToolButton>
#include <QVBoxLayout>

namespace Parley::Ui {

using Client::HubListModel;

namespace {
constexpr int tile = 42;
constexpr int railWidth = 64;
constexpr int rowHeight = tile + 12;
} // namespace

QSize HubRailDelegate::sizeHint(const QStyleOptionViewItem &, const QModelIndex &) const
{
    return { railWidth, rowHeight };
}

void HubRailDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QPalette &palette = option.palette;
    const QRect row = option.rect;
    const QRectF square(row.center().x() - tile / 2.0 + 1, row.center().y() - tile / 2.0, tile,
                        tile);
    const bool current = index.data(HubListModel::CurrentRole).toBool();
    const bool connected = index.data(HubListModel::ConnectedRole).toBool();
    const int unread = index.data(HubListModel::UnreadRole).toInt();
    const int mentions = index.data(HubListModel::MentionsRole).toInt();
    const QString name = index.data(HubListModel::NameRole).toString();
    // A hub's colour follows its id (the same on every computer), its address until it is known.
    QString key = index.data(HubListModel::HubIdRole).toString();
    if (key.isEmpty())
        key = index.data(HubListModel::UrlRole).toString();

    // The marker on the left edge: a tall bar for the hub shown, a dot for unread elsewhere.
    painter->setPen(Qt::NoPen);
    painter->setBrush(palette.color(QPalette::WindowText));
    if (current)
        painter->drawRoundedRect(QRectF(row.left() - 3, square.top() + 4, 7, tile - 8), 3, 3);
    else if (unread > 0)
        painter->drawEllipse(QRectF(row.left() - 3, square.center().y() - 4, 8, 8));

    QColor fill = UserColors::avatarColor(key);
    if (!connected)
        fill = palette.color(QPalette::Mid);
    QPainterPath shape;
    shape.addRoundedRect(square, current ? 13 : 18, current ? 13 : 18);
    painter->fillPath(shape, fill);
    if (option.state.testFlag(QStyle::State_MouseOver) && !current) {
        painter->setPen(QPen(palette.color(QPalette::Highlight), 2));
        painter->drawPath(shape);
        painter->setPen(Qt::NoPen);
    }
    QFont font = option.font;
    font.setBold(true);
    font.setPixelSize(int(tile * 0.36));
    painter->setFont(font);
    painter->setPen(Qt::white);
    // Until the hub says its name, no initials (an address would give "1"): a question mark.
    const bool named = !index.data(HubListModel::HubIdRole).toString().isEmpty();
    painter->drawText(square, Qt::AlignCenter,
                      named ? UserColors::initials(name) : QStringLiteral("?"));

    if (index.data(HubListModel::HostedRole).toBool()) {
        // A house in a small disc at the bottom right: this computer runs the hub.
        const QRectF badge(square.right() - 15, square.bottom() - 15, 18, 18);
        painter->setPen(QPen(palette.color(QPalette::Window), 2));
        painter->setBrush(palette.color(QPalette::Base));
        painter->drawEllipse(badge);
        Icons::icon(QStringLiteral("host"), palette.color(QPalette::Text))
            .paint(painter, badge.adjusted(3, 3, -3, -3).toRect());
    }
    if (mentions > 0) {
        const QString text = mentions > 99 ? QStringLiteral("99+") : QString::number(mentions);
        QFont small = option.font;
        small.setBold(true);
        small.setPixelSize(11);
        const int width = qMax(18, QFontMetrics(small).horizontalAdvance(text) + 10);
        const QRectF badge(square.right() - width + 5, square.top() - 4, width, 18);
        painter->setPen(QPen(palette.color(QPalette::Window), 2));
        painter->setBrush(QColor(0xd9, 0x30, 0x25));
        painter->drawRoundedRect(badge, 9, 9);
        painter->setFont(small);
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, text);
    }
    painter->restore();
}

HubRail::HubRail(QWidget *parent)
    : QWidget(parent)
    , m_view(new QListView(this))
    , m_add(new QToolButton(this))
{
    setObjectName(QStringLiteral("hubRail"));
    setFixedWidth(railWidth + 8);
    // A shade apart from the sidebar, so the rail reads as the frame around every hub.
    QPalette shade = palette();
    const QColor window = shade.color(QPalette::Window);
    shade.setColor(QPalette::Window,
                   window.lightness() > 128 ? window.darker(108) : window.darker(125));
    setPalette(shade);
    setAutoFillBackground(true);
    m_view->setItemDelegate(new HubRailDelegate(m_view));
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_view->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_view->setSelectionMode(QAbstractItemView::NoSelection); // the model says which is shown
    m_view->setMouseTracking(true);
    m_view->viewport()->setAutoFillBackground(false);
    m_view->setAccessibleName(tr("Hubs"));
    connect(m_view, &QListView::clicked, this, [this](const QModelIndex &index) {
        if (auto *session = qobject_cast<Client::ChatSession *>(
                index.data(HubListModel::SessionRole).value<QObject *>()))
            emit hubActivated(session);
    });

    m_add->setIcon(Icons::icon(QStringLiteral("plus"), QPalette::WindowText));
    m_add->setIconSize(QSize(22, 22));
    m_add->setFixedSize(tile, tile);
    m_add->setAutoRaise(true);
    m_add->setToolTip(tr("Add a hub: host one or join one"));
    m_add->setPopupMode(QToolButton::InstantPopup);
    m_add->setStyleSheet(QStringLiteral("QToolButton::menu-indicator { image: none; }"));
    auto *menu = new QMenu(m_add);
    const QPalette::ColorRole ink = QPalette::WindowText;
    menu->addAction(Icons::icon(QStringLiteral("join"), ink), tr("Join a hub…"), this,
                    &HubRail::joinRequested);
    menu->addAction(Icons::icon(QStringLiteral("host"), ink), tr("Host a hub…"), this,
                    &HubRail::hostRequested);
    m_add->setMenu(menu);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 8, 4, 8);
    layout->setSpacing(4);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_add, 0, Qt::AlignHCenter);
}

void HubRail::setModel(Client::HubListModel *model)
{
    m_view->setModel(model);
}

} // namespace Parley::Ui
