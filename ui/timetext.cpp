#include "ui/timetext.h"

#include <QDateTime>
#include <QLocale>
#include <QRegularExpression>

namespace Parley::Ui {

QString shortTime(qint64 msSinceEpoch)
{
    const QLocale locale;
    QString format = locale.timeFormat(QLocale::ShortFormat);
    format.remove(QRegularExpression(QStringLiteral("[:.]?ss")));
    return locale.toString(QDateTime::fromMSecsSinceEpoch(msSinceEpoch).time(), format.trimmed());
}

} // namespace Parley::Ui
