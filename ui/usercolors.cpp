#include "ui/usercolors.h"

#include <QPainter>
#include <QRectF>

namespace Parley::Ui::UserColors {

int hue(const QString &userId)
{
    quint32 hash = 2166136261u;
    for (const char byte : userId.toUtf8()) {
        hash ^= quint8(byte);
        hash *= 16777619u;
    }
    return int(hash % 360u);
}

QColor nickColor(const QString &userId, const QPalette &palette)
{
    const bool darkPalette = palette.color(QPalette::Base).lightness() < 128;
    return QColor::fromHsl(hue(userId), darkPalette ? 150 : 170, darkPalette ? 170 : 95);
}

QColor avatarColor(const QString &userId)
{
    return QColor::fromHsl(hue(userId), 120, 110);
}

QString initials(const QString &nick)
{
    const QStringList words = nick.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words.isEmpty())
        return QStringLiteral("?");
    QString letters = words.first().left(1).toUpper();
    if (words.size() > 1)
        letters += words.at(1).left(1).toUpper();
    return letters;
}

void paintAvatar(QPainter *painter, const QRectF &rect, const QString &userId, const QString &nick)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(avatarColor(userId));
    painter->drawEllipse(rect);
    QFont font = painter->font();
    font.setBold(true);
    font.setPixelSize(qMax(7, int(rect.height() * 0.4)));
    painter->setFont(font);
    painter->setPen(Qt::white);
    painter->drawText(rect, Qt::AlignCenter, initials(nick));
    painter->restore();
}

} // namespace Parley::Ui::UserColors
