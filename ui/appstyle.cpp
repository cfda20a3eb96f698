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

} // namespace Parley::Ui
