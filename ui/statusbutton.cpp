#include "ui/statusbutton.h"

#include "protocol/events.h"
#include "protocol/identity.h"
#include "ui/icons.h"
#include "ui/usercolors.h"
#include "ui/userdelegate.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QMenu>
#include <QPainter>
#include <QStyleOptionToolButton>
#include <QStylePainter>

namespace Parley::Ui {

namespace {
constexpr int avatarSize = 28;

} // namespace

StatusButton::StatusButton(QWidget *parent)
    : QToolButton(parent)
{
    setAutoRaise(true);
    setPopupMode(QToolButton::InstantPopup);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setToolTip(tr("Your status"));
    auto *menu = new QMenu(this);
    for (const QString &status :
         { QString(Protocol::Status::Online), QString(Protocol::Status::Away),
           QString(Protocol::Status::Busy) }) {
        QAction *action = menu->addAction(Icons::dot(UserDelegate::statusColor(status)),
                                          UserDelegate::statusText(status), this, [this, status] {
                                              setStatus(status);
                                              emit statusChosen(status);
                                          });
        if (status == Protocol::Status::Busy)
            action->setToolTip(tr("Notifications only when someone mentions you"));
    }
    menu->addSection(tr("Your identity"));
    m_fingerprint = menu->addAction(QString());
    m_fingerprint->setEnabled(false);
    menu->addAction(tr("Copy fingerprint"), this, [this] {
        QGuiApplication::clipboard()->setText(Protocol::Identity::fingerprint(m_userId));
    });
    menu->addAction(tr("Export identity…"), this, &StatusButton::exportIdentityRequested)
        ->setToolTip(tr("Save your key to use the same identity on another device"));
    menu->addAction(tr("Import identity…"), this, &StatusButton::importIdentityRequested)
        ->setToolTip(tr("Become the identity saved on another device"));
    menu->setToolTipsVisible(true);
    setMenu(menu);
}

void StatusButton::setIdentity(const QString &userId, const QString &nick)
{
    m_userId = userId;
    m_nick = nick;
    const QString fingerprint = Protocol::Identity::fingerprint(userId);
    m_fingerprint->setText(tr("Fingerprint %1").arg(fingerprint));
    setToolTip(tr("Your status and identity\nFingerprint %1").arg(fingerprint));
    QWidget::update();
}

void StatusButton::setStatus(const QString &status)
{
    m_status = status;
    QWidget::update();
}

QSize StatusButton::sizeHint() const
{
    return { 160, qMax(avatarSize + 14, 2 * fontMetrics().height() + 12) };
}

void StatusButton::paintEvent(QPaintEvent *)
{
    QStylePainter painter(this);
    QStyleOptionToolButton option;
    initStyleOption(&option);
    option.text.clear();
    option.icon = QIcon();
    option.features &= ~QStyleOptionToolButton::HasMenu; // the chevron is drawn below
    painter.drawComplexControl(QStyle::CC_ToolButton, option);

    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF avatar(10, (height() - avatarSize) / 2.0, avatarSize, avatarSize);
    UserColors::paintAvatar(&painter, avatar, m_userId, m_nick);
    const qreal dot = 11;
    painter.setPen(QPen(palette().color(QPalette::Window), 2));
    painter.setBrush(UserDelegate::statusColor(m_status));
    painter.drawEllipse(QRectF(avatar.right() - dot + 2, avatar.bottom() - dot + 2, dot, dot));

    const int textLeft = int(avatar.right()) + 10;
    const int chevron = 16;
    const QRect textRect(textLeft, 6, width() - textLeft - chevron - 10, height() - 12);
    QFont bold = font();
    bold.setBold(true);
    painter.setFont(bold);
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(textRect, Qt::AlignLeft | Qt::AlignTop,
                     QFontMetrics(bold).elidedText(m_nick, Qt::ElideRight, textRect.width()));
    painter.setFont(font());
    painter.setPen(palette().color(QPalette::PlaceholderText));
    painter.drawText(textRect, Qt::AlignLeft | Qt::AlignBottom, UserDelegate::statusText(m_status));
    Icons::icon(QStringLiteral("chevron-down"), QPalette::PlaceholderText)
        .paint(&painter, QRect(width() - chevron - 8, (height() - chevron) / 2, chevron, chevron));
}

} // namespace Parley::Ui
