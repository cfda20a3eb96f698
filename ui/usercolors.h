#pragma once

#include <QColor>
#include <QPalette>
#include <QString>

class QPainter;
class QRectF;

namespace Parley::Ui::UserColors {

// A stable hue (0–359) for a user id: FNV-1a of its UTF-8 bytes, so it is the same in every run
// and on every machine (qHash is seeded per process and would not be).
int hue(const QString &userId);
// The nick colour: the user's hue, light enough on a dark palette and dark enough on a light one.
QColor nickColor(const QString &userId, const QPalette &palette);
// The avatar fill: the user's hue, saturated enough for white initials.
QColor avatarColor(const QString &userId);
// One or two letters: the first letters of the first two words, else the first letter.
QString initials(const QString &nick);
// A filled circle with the initials, scaled to the rectangle (a vector, sharp at any DPI).
void paintAvatar(QPainter *painter, const QRectF &rect, const QString &userId, const QString &nick);

} // namespace Parley::Ui::UserColors
