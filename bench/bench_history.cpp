// Append throughput of SqliteHistoryStore: one message per transaction (one fsync each) versus
// batches of 50 (group commit). Usage: bench_history [directory] [count]; the directory must be
// on the disk the hub will use (tmpfs makes fsync free and the numbers meaningless).

#include "hub/sqlitehistorystore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>

#include <cstdio>

using Parley::Hub::NewMessage;
using Parley::Hub::SqliteHistoryStore;

namespace {

NewMessage makeMessage(int i)
{
    return NewMessage {
        QStringLiteral("general"),
        QStringLiteral("user%1").arg(i % 7),
        QStringLiteral("nick%1").arg(i % 7),
        QStringLiteral("benchmark message number %1, about sixty characters long").arg(i),
        QStringLiteral("bench-client-%1").arg(i, 8, 10, QLatin1Char('0')),
        QDateTime::currentMSecsSinceEpoch()
    };
}

// Returns messages per second, or a negative number on failure.
double run(const QString &path, int count, int batchSize)
{
    SqliteHistoryStore store(path);
    QString error;
    if (!store.open(&error)) {
        std::fprintf(stderr, "open %s: %s\n", qPrintable(path), qPrintable(error));
        return -1;
    }
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < count; i += batchSize) {
        QList<NewMessage> batch;
        for (int j = i; j < qMin(i + batchSize, count); ++j)
            batch.append(makeMessage(j));
        if (!store.append(batch, &error)) {
            std::fprintf(stderr, "append: %s\n", qPrintable(error));
            return -1;
        }
    }
    const qint64 ms = qMax<qint64>(1, timer.elapsed());
    return count * 1000.0 / ms;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const QString base = args.size() > 1 ? args.at(1) : QDir::currentPath();
    const int count = args.size() > 2 ? args.at(2).toInt() : 20000;

    QTemporaryDir dir(base + QStringLiteral("/bench_history-XXXXXX"));
    if (!dir.isValid()) {
        std::fprintf(stderr, "cannot create a directory in %s\n", qPrintable(base));
        return 1;
    }
    QTextStream out(stdout);
    out << "appending " << count << " messages in " << dir.path() << '\n' << Qt::flush;

    for (const int batch : { 1, 50 }) {
        const double rate
            = run(dir.filePath(QStringLiteral("batch%1.db").arg(batch)), count, batch);
        if (rate < 0)
            return 1;
        out << "batch " << batch << ": " << qRound64(rate) << " messages/s\n" << Qt::flush;
    }
    return 0;
}
