#include "ui/timetext.h"

#include <QDateTime>
#include <QHash>
#include <QLocale>
#include <QRegularExpression>

namespace Parley::Ui {

namespace {

constexpr qint64 bucketMs = 15 * 60'000; // zone rules change on a quarter hour
constexpr qint64 dayMs = 24 * 3'600'000LL;
int g_lookups = 0;

} // namespace

qint64 LocalClock::localMs(qint64 msSinceEpoch)
{
    // Offsets by quarter hour since the epoch; a few thousand at most in a long session.
    static QHash<qint64, int> offsets;
    const qint64 bucket
        = msSinceEpoch >= 0 ? msSinceEpoch / bucketMs : (msSinceEpoch + 1) / bucketMs - 1;
    auto it = offsets.constFind(bucket);
    if (it == offsets.cend()) {
        if (offsets.size() > 100'000)
            offsets.clear();
        ++g_lookups;
        it = offsets.insert(bucket,
                            QDateTime::fromMSecsSinceEpoch(bucket * bucketMs).offsetFromUtc());
    }
    return msSinceEpoch + qint64(*it) * 1000;
}

QDate LocalClock::date(qint64 msSinceEpoch)
{
    const qint64 local = localMs(msSinceEpoch);
    const qint64 days = local >= 0 ? local / dayMs : (local + 1) / dayMs - 1;
    return QDate(1970, 1, 1).addDays(days);
}

QTime LocalClock::time(qint64 msSinceEpoch)
{
    const qint64 local = localMs(msSinceEpoch);
    return QTime::fromMSecsSinceStartOfDay(int(((local % dayMs) + dayMs) % dayMs));
}

QDate LocalClock::today()
{
    return date(QDateTime::currentMSecsSinceEpoch());
}

QString LocalClock::shortTime(qint64 msSinceEpoch)
{
    static const QString format = [] {
        QString format = QLocale().timeFormat(QLocale::ShortFormat);
        format.remove(QRegularExpression(QStringLiteral("[:.]?ss")));
        return format.trimmed();
    }();
    return QLocale().toString(time(msSinceEpoch), format);
}

int LocalClock::lookups()
{
    return g_lookups;
}

} // namespace Parley::Ui
