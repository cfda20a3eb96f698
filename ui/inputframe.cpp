#include "ui/inputframe.h"

#include <QApplication>
#include <QEvent>
#include <QPainter>

namespace Parley::Ui {

InputFrame::InputFrame(QWidget *parent)
    : QWidget(parent)
{
    setAttribute(Qt::WA_Hover);
    // Repaint the edge when focus moves into or out of the composer inside.
    connect(qApp, &QApplication::focusChanged, this, [this] { QWidget::update(); });
}

bool InputFrame::event(QEvent *event)
{
    if (event->type() == QEvent::HoverEnter || event->type() == QEvent::HoverLeave)
        QWidget::update();
    return QWidget::event(event);
}

void InputFrame::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const bool focused = isAncestorOf(QApplication::focusWidget());
    QColor edge = palette().color(focused ? QPalette::Highlight : QPalette::PlaceholderText);
    if (!focused)
        edge.setAlphaF(underMouse() ? 0.8 : 0.5);
    painter.setPen(QPen(edge, focused ? 1.5 : 1.0));
    painter.setBrush(palette().color(isEnabled() ? QPalette::Base : QPalette::Window));
    painter.drawRoundedRect(QRectF(rect()).adjusted(0.75, 0.75, -0.75, -0.75), 8, 8);
}

} // namespace Parley::Ui
