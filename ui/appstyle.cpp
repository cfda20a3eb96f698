#include "ui/appstyle.h"

#include "ui/icons.h"

#include <QApplication>
#include <QPalette>
#include <QWidget>

namespace Parley::Ui {

QIcon AppStyle::standardIcon(StandardPixmap icon, const QStyleOption *option,
                             const QWidget *widget) const
{
    const QColor ink
        = (widget ? widget->palette() : QApplication::palette()).color(QPalette::ButtonText);
    switch (icon) {
    case SP_DialogOkButton:
    case SP_DialogYesButton:
    case SP_DialogApplyButton:
    case SP_DialogSaveButton:
        return Icons::icon(QStringLiteral("check"), ink);
    case SP_DialogCancelButton:
    case SP_DialogNoButton:
    case SP_DialogCloseButton:
    case SP_DialogDiscardButton:
        return Icons::icon(QStringLiteral("close"), ink);
    // Message boxes: the app's line icons in its accent and warning colours.
    case SP_MessageBoxQuestion:
        return Icons::icon(QStringLiteral("question"),
                           QApplication::palette().color(QPalette::Highlight));
    case SP_MessageBoxInformation:
        return Icons::icon(QStringLiteral("info"),
                           QApplication::palette().color(QPalette::Highlight));
    case SP_MessageBoxWarning:
    case SP_MessageBoxCritical:
        return Icons::icon(QStringLiteral("warning"), QColor(0xd9, 0x30, 0x25));
    default:
        return QProxyStyle::standardIcon(icon, option, widget);
    }
}

void AppStyle::applyTheme(Preferences::Theme theme)
{
    static const QPalette system = QApplication::palette(); // before the first change
    switch (theme) {
    case Preferences::Theme::System:
        QApplication::setPalette(system);
        break;
    case Preferences::Theme::Light:
        QApplication::setPalette(lightPalette());
        break;
    case Preferences::Theme::Dark:
        QApplication::setPalette(darkPalette());
        break;
    }
}

QPalette AppStyle::lightPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xef, 0xf0, 0xf1));
    p.setColor(QPalette::WindowText, QColor(0x1d, 0x1f, 0x22));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xf6, 0xf7, 0xf8));
    p.setColor(QPalette::Text, QColor(0x1d, 0x1f, 0x22));
    p.setColor(QPalette::PlaceholderText, QColor(0x6b, 0x6e, 0x75));
    p.setColor(QPalette::Button, QColor(0xf4, 0xf5, 0xf6));
    p.setColor(QPalette::ButtonText, QColor(0x1d, 0x1f, 0x22));
    p.setColor(QPalette::Highlight, QColor(0x30, 0x8c, 0xc6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x1f, 0x6f, 0xd0));
    p.setColor(QPalette::ToolTipBase, QColor(0xff, 0xfb, 0xe6));
    p.setColor(QPalette::ToolTipText, QColor(0x1d, 0x1f, 0x22));
    p.setColor(QPalette::Mid, QColor(0xc4, 0xc6, 0xca));
    p.setColor(QPalette::Shadow, QColor(0x76, 0x77, 0x79));
    return p;
}

QPalette AppStyle::darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2d, 0x31));
    p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Base, QColor(0x1f, 0x20, 0x23));
    p.setColor(QPalette::AlternateBase, QColor(0x2b, 0x2d, 0x31));
    p.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9c, 0xa2));
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3c));
    p.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Highlight, QColor(0x4c, 0x7d, 0xe0));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x7a, 0xa7, 0xff));
    p.setColor(QPalette::ToolTipBase, QColor(0x3a, 0x3c, 0x42));
    p.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Mid, QColor(0x44, 0x46, 0x4c));
    p.setColor(QPalette::Shadow, Qt::black);
    // Greyed text of disabled widgets stays readable on the dark ground.
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x7a, 0x7c, 0x82));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x7a, 0x7c, 0x82));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x7a, 0x7c, 0x82));
    return p;
}

} // namespace Parley::Ui
