#pragma once

#include <QColor>
#include <QIcon>
#include <QPalette>
#include <QString>

namespace Parley::Ui::Icons {

// An icon of resources/icons/NAME.svg, drawn as a vector at every size and device pixel ratio
// (never a scaled pixmap). Monochrome icons use "currentColor"; it becomes `color`, by default
// the application palette's WindowText, so icons follow light and dark palettes.
QIcon icon(const QString &name, const QColor &color = {});
// The same in the colour of `role` in the application palette at each paint: for icons kept by
// widgets and menus, so that they follow a change of theme (Settings) while the app runs.
QIcon icon(const QString &name, QPalette::ColorRole role);
// The application icon (keeps its own colours).
QIcon appIcon();
// A filled dot (status colours in menus).
QIcon dot(const QColor &color);

} // namespace Parley::Ui::Icons
