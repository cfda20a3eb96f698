#pragma once

#include "ui/appsettings.h"

#include <QPalette>
#include <QProxyStyle>

namespace Parley::Ui {

// The app's own look on top of the platform style: the standard dialog buttons (OK, Cancel,
// Yes, No, Close, Save…) and message boxes (question, information, warning) carry the app's
// vector icons, drawn in the palette's colours, instead of the toolkit's old fallback bitmaps.
// Installed once by main() (and by the screenshot tool).
class AppStyle : public QProxyStyle
{
    Q_OBJECT
public:
    using QProxyStyle::QProxyStyle;

    QIcon standardIcon(StandardPixmap icon, const QStyleOption *option = nullptr,
                       const QWidget *widget = nullptr) const override;

    // Sets the application palette for `theme` (System: the palette the app started with).
    // Widgets and the icons they keep (Icons::icon with a role) follow at once.
    static void applyTheme(Preferences::Theme theme);
    static QPalette lightPalette();
    static QPalette darkPalette();
};

} // namespace Parley::Ui
