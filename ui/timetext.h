#pragma once

#include <QDate>
#include <QString>
#include <QTime>

namespace Parley::Ui {

// Local dates and times of timestamps without asking the C library each time: glibc checks the
// zone file (a stat of /etc/localtime) on every local-time conversion, and a view paints the
// times of its rows on every frame. The UTC offset is looked up once per quarter hour of
// time (zone rules change on a quarter hour), the locale's time format once. GUI thread.
class LocalClock
{
public:
    static QDate date(qint64 msSinceEpoch);
    static QTime time(qint64 msSinceEpoch);
    static QDate today();
    // The locale's short time format without seconds ("14:02", "2:02 PM"); C and some other
    // locales put seconds into the short format.
    static QString shortTime(qint64 msSinceEpoch);
    // How many zone lookups were made (the benchmark and tests watch it).
    static int lookups();

private:
    static qint64 localMs(qint64 msSinceEpoch);
};

inline QString shortTime(qint64 msSinceEpoch)
{
    return LocalClock::shortTime(msSinceEpoch);
}

} // namespace Parley::Ui
