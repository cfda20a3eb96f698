// parley-clientbench: what a busy room costs the desktop app (issue 20). The real window
// (Workspace + MainWindow, offscreen) joins a real parley-hub process on 127.0.0.1; a second
// process of this program runs the bots, so that only the app's own work is measured here.
//
//   parley-clientbench [--scenario idle|steady|burst|memory|switch|all] [--rate R] [--seconds S]
//                      [--messages N] [--json FILE]
//
// idle:   5 s with nothing sent: the app's own background cost.
// steady: R msg/s (default 50) for S s (default 20): the app's CPU per message and in % of a core.
// burst:  500 msg/s for 10 s: how long after the last message was sent its row is first painted.
// memory: N messages (default 100,000) as fast as the bots go: the app's RSS growth.
// switch: two rooms with their newest page loaded: activate() to the first paint of the other.
// Prints one line per result and, with --json, writes them all. Loopback only; stops by itself.

#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/messagemodel.h"
#include "client/roomlistmodel.h"
#include "hubprocess.h"
#include "parley/workspace.h"
#include "testkeys.h"
#include "ui/appsettings.h"
#include "ui/appstyle.h"
#include "ui/mainwindow.h"
#include "ui/messagedelegate.h"
#include "ui/messageview.h"
#include "ui/roomnavigator.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <poll.h>
#include <sys/resource.h>
#include <vector>

using namespace Parley;

namespace {

constexpr int botCount = 5;
const QString general = QStringLiteral("room:general");
const QString side = QStringLiteral("room:side");

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

double cpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double rssMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toDouble() / 1024.0;
    }
    return 0;
}

// 8–27 words, as people write.
QString sentence(QRandomGenerator &random)
{
    static const QStringList words
        = QStringLiteral(
              "the build server is down again my job has been queued for twenty minutes looks fine "
              "from here try again after lunch we start with the release notes slides are in the "
              "drive can you share the draft standup moves to half past nine tomorrow agenda wiki "
              "review ticket deploy branch merge conflict coffee meeting")
              .split(QLatin1Char(' '));
    const int count = 8 + int(random.bounded(20));
    QStringList picked;
    for (int i = 0; i < count; ++i)
        picked << words.at(int(random.bounded(qsizetype(words.size()))));
    return picked.join(QLatin1Char(' '));
}

// Runs the event loop as the app does (blocking until something happens), checking `done`
// every 50 ms; QTest::qWaitFor would sleep between passes and batch the app's work.
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer check;
    check.setInterval(50); // seldom: the paint hook keeps the times, this only notices
    QObject::connect(&check, &QTimer::timeout, &loop, [&] {
        if (done())
            loop.quit();
    });
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    check.start();
    loop.exec();
    return done();
}

// --- the bots (a child process) -----------------------------------------------------------

// Connects the bots to `url`, prints "ready", then on each "send TOPIC RATE COUNT" line from
// stdin sends COUNT messages at RATE msg/s spread over the bots, and prints
// "sent COUNT FIRST_MS LAST_MS" once every one was acknowledged.
int runBots(const QUrl &url)
{
    std::vector<std::unique_ptr<Client::ChatSession>> bots;
    for (int i = 0; i < botCount; ++i) {
        Client::Identity identity;
        identity.key = Testing::TestKeys::of(QStringLiteral("bench-bot-%1").arg(i));
        identity.nick = QStringLiteral("Bot %1").arg(i + 1);
        auto bot = std::make_unique<Client::ChatSession>(identity);
        bot->connectToHub(url);
        bots.push_back(std::move(bot));
    }
    // The second room, made by the first bot (the hub may have it already).
    if (!waitFor([&] { return !bots.front()->hubId().isEmpty(); }, 30'000)) {
        std::fprintf(stderr, "bots: no hub\n");
        return 1;
    }
    bots.front()->createRoom(QStringLiteral("side"), QStringLiteral("Side"), {});
    waitFor([&] { return bots.front()->rooms()->rowOfTopic(side) >= 0; }, 10'000);
    for (const auto &bot : bots) {
        bot->openTopic(general);
        bot->openTopic(side);
    }
    const bool joined = waitFor(
        [&] {
            return std::all_of(bots.begin(), bots.end(), [](const auto &bot) {
                return bot->isJoined(general) && bot->isJoined(side);
            });
        },
        30'000);
    if (!joined) {
        std::fprintf(stderr, "bots: not joined\n");
        return 1;
    }
    std::printf("ready\n");
    std::fflush(stdout);

    QRandomGenerator random(20);
    QFile input;
    input.open(stdin, QIODevice::ReadOnly);
    for (;;) {
        // The bots keep reading the hub while they wait for the next command.
        const auto commandWaiting = [] {
            pollfd in { 0, POLLIN, 0 };
            return ::poll(&in, 1, 0) > 0;
        };
        while (!commandWaiting())
            QTest::qWait(20);
        const QByteArray line = input.readLine().trimmed();
        if (line.isEmpty() || line == "quit")
            return 0;
        const QList<QByteArray> parts = line.split(' ');
        const QString topic = QString::fromLatin1(parts.value(1));
        const double rate = parts.value(2).toDouble();
        const int count = parts.value(3).toInt();
        // Sends on a 1 ms timer as many as the rate allows by now (rate 0: as fast as acks
        // keep up, 200 in flight at most).
        int sent = 0;
        qint64 last = 0;
        QElapsedTimer clock;
        clock.start();
        const qint64 first = nowMs();
        const auto pending = [&] {
            qsizetype waiting = 0;
            for (const auto &bot : bots)
                waiting += bot->conversation(topic)->messages()->unconfirmed().size();
            return waiting;
        };
        QTimer tick;
        tick.setInterval(1);
        QObject::connect(&tick, &QTimer::timeout, [&] {
            const int due = rate > 0
                ? std::min<int>(count, int(clock.elapsed() * rate / 1000.0) + 1)
                : std::min<int>(count, sent + 50);
            while (sent < due && (rate > 0 || pending() < 200)) {
                bots[std::size_t(sent % botCount)]->conversation(topic)->send(sentence(random));
                ++sent;
            }
            if (sent >= count) {
                last = nowMs(); // the last one just went out
                tick.stop();
            }
        });
        tick.start();
        waitFor([&] { return sent >= count; }, 3'600'000);
        waitFor([&] { return pending() == 0; }, 120'000);
        // All acknowledged: the newest message of the room is the last one sent.
        qint64 newest = 0;
        for (const auto &bot : bots)
            newest = std::max(newest, bot->conversation(topic)->messages()->newestId());
        std::printf("sent %d %lld %lld %lld\n", sent, first, last, newest);
        std::fflush(stdout);
    }
}

// --- the app ---------------------------------------------------------------------------------

class Bench
{
public:
    ~Bench();
    bool start(const QString &program);
    QJsonObject idle(int seconds);
    QJsonObject steady(double rate, int seconds);
    QJsonObject burst(double rate, int seconds);
    QJsonObject memory(int messages);
    QJsonObject switching();

    struct Sent
    {
        int count = 0;
        qint64 firstMs = 0;
        qint64 lastMs = 0;
        qint64 lastId = 0; // the id the hub gave the last one
    };

private:
    // The bots send; returns when they say every message was acknowledged.
    Sent send(const QString &topic, double rate, int count);
    Client::MessageModel *shown() const { return m_window->messageView()->messages(); }
    // Waits until the row of message `id` has been painted; when it first was (-1: never).
    qint64 painted(qint64 id, int timeoutMs);

    QTemporaryDir m_settingsDir;
    std::unique_ptr<Testing::HubProcess> m_hub;
    QProcess m_bots;
    std::unique_ptr<Ui::AppSettings> m_settings;
    std::unique_ptr<App::Workspace> m_workspace;
    std::unique_ptr<Ui::MainWindow> m_window;
    QHash<qint64, qint64> m_firstPaint; // message id → ms since the epoch of its first paint
    QHash<qint64, qint64> m_firstPaintNs; // the same on m_clock, for short intervals
    QElapsedTimer m_clock;
};

Bench::~Bench()
{
    m_window.reset();
    m_workspace.reset();
    if (m_bots.state() == QProcess::Running) {
        m_bots.write("quit\n");
        if (!m_bots.waitForFinished(10'000))
            m_bots.kill();
    }
}

bool Bench::start(const QString &program)
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    m_hub = std::make_unique<Testing::HubProcess>();
    if (!m_hub->start())
        return false;

    m_bots.setProgram(program);
    m_bots.setArguments({ QStringLiteral("--bots"), m_hub->url().toString() });
    m_bots.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_bots.start();
    if (!waitFor([&] { return m_bots.canReadLine(); }, 30'000)
        || m_bots.readLine().trimmed() != "ready") {
        std::fprintf(stderr, "the bots did not start\n");
        return false;
    }

    m_settings = std::make_unique<Ui::AppSettings>();
    m_settings->setNick(QStringLiteral("Reader"));
    m_workspace = std::make_unique<App::Workspace>(
        m_settings.get(),
        App::WorkspaceOptions { {}, Client::DiscoveryMode::Off, QStringLiteral("Parley bench") });
    m_window = std::make_unique<Ui::MainWindow>(m_workspace.get(), m_settings.get());
    m_window->resize(1100, 700);
    m_window->show();
    m_clock.start();
    m_window->messageView()->delegate()->setPaintObserver([this](qint64 id) {
        if (!m_firstPaint.contains(id)) {
            m_firstPaint.insert(id, nowMs());
            m_firstPaintNs.insert(id, m_clock.nsecsElapsed());
        }
    });
    m_workspace->join(m_hub->url());
    const bool shownGeneral = waitFor(
        [&] {
            Client::ChatSession *session = m_workspace->session();
            return session && session->isJoined(general)
                && m_window->navigator()->currentTopic() == general;
        },
        30'000);
    if (!shownGeneral)
        return false;
    m_window->activateWindow();
    QTest::qWait(500); // settled: the first paints, the lobby
    return true;
}

Bench::Sent Bench::send(const QString &topic, double rate, int count)
{
    m_bots.write(QStringLiteral("send %1 %2 %3\n").arg(topic).arg(rate).arg(count).toLatin1());
    Sent sent;
    if (!waitFor([&] { return m_bots.canReadLine(); }, 3'600'000))
        return sent;
    const QList<QByteArray> parts = m_bots.readLine().trimmed().split(' ');
    sent.count = parts.value(1).toInt();
    sent.firstMs = parts.value(2).toLongLong();
    sent.lastMs = parts.value(3).toLongLong();
    sent.lastId = parts.value(4).toLongLong();
    return sent;
}

qint64 Bench::painted(qint64 id, int timeoutMs)
{
    waitFor([&] { return m_firstPaint.contains(id); }, timeoutMs);
    return m_firstPaint.value(id, -1);
}

// From the last message sent to its row first painted; null if it never was.
QJsonValue shownAfter(qint64 painted, const Bench::Sent &sent)
{
    return painted < 0 ? QJsonValue() : QJsonValue(double(painted - sent.lastMs));
}

QJsonObject Bench::idle(int seconds)
{
    const double cpuBefore = cpuSeconds();
    QElapsedTimer wall;
    wall.start();
    waitFor([] { return false; }, seconds * 1000);
    return { { QStringLiteral("scenario"), QStringLiteral("idle") },
             { QStringLiteral("app_cpu_percent_of_core"),
               100.0 * (cpuSeconds() - cpuBefore) / (wall.elapsed() / 1000.0) } };
}

QJsonObject Bench::steady(double rate, int seconds)
{
    const int count = int(rate * seconds);
    const double cpuBefore = cpuSeconds();
    QElapsedTimer wall;
    wall.start();
    const Sent sent = send(general, rate, count);
    const qint64 painted = this->painted(sent.lastId, 600'000);
    const double cpu = cpuSeconds() - cpuBefore;
    const double wallSeconds = wall.elapsed() / 1000.0;
    QJsonObject result { { QStringLiteral("scenario"), QStringLiteral("steady") },
                         { QStringLiteral("rate"), rate },
                         { QStringLiteral("messages"), sent.count },
                         { QStringLiteral("app_cpu_ms_per_msg"), cpu * 1000.0 / sent.count },
                         { QStringLiteral("app_cpu_percent_of_core"), 100.0 * cpu / wallSeconds },
                         { QStringLiteral("last_shown_after_ms"), shownAfter(painted, sent) } };
    return result;
}

QJsonObject Bench::burst(double rate, int seconds)
{
    QJsonObject result = steady(rate, seconds);
    result.insert(QStringLiteral("scenario"), QStringLiteral("burst"));
    return result;
}

QJsonObject Bench::memory(int messages)
{
    const double before = rssMb();
    const double cpuBefore = cpuSeconds();
    const Sent sent = send(general, 0, messages);
    const qint64 painted = this->painted(sent.lastId, 600'000);
    const double cpu = cpuSeconds() - cpuBefore;
    QTest::qWait(2000); // settled: what is freed is freed
    return { { QStringLiteral("scenario"), QStringLiteral("memory") },
             { QStringLiteral("messages"), sent.count },
             { QStringLiteral("rss_before_mb"), before },
             { QStringLiteral("rss_after_mb"), rssMb() },
             { QStringLiteral("rss_growth_mb"), rssMb() - before },
             { QStringLiteral("rows_held"), shown()->rowCount() },
             { QStringLiteral("app_cpu_ms_per_msg"), cpu * 1000.0 / std::max(1, sent.count) },
             { QStringLiteral("last_shown_after_ms"), shownAfter(painted, sent) } };
}

QJsonObject Bench::switching()
{
    // Both rooms open, each with its newest page loaded; then back and forth.
    const Sent inGeneral = send(general, 0, 200);
    painted(inGeneral.lastId, 30'000);
    m_window->navigator()->activate(side);
    waitFor([&] { return m_window->navigator()->currentTopic() == side; }, 10'000);
    const Sent inSide = send(side, 0, 200);
    painted(inSide.lastId, 30'000);
    m_window->navigator()->activate(general);
    waitFor([&] { return m_window->navigator()->currentTopic() == general; }, 10'000);
    QList<double> times;
    int unpainted = 0;
    for (int i = 0; i < 20; ++i) {
        const QString to = i % 2 == 0 ? side : general;
        Client::ChatSession *session = m_workspace->session();
        const qint64 newest = session->conversation(to)->messages()->newestId();
        m_firstPaint.remove(newest);
        m_firstPaintNs.remove(newest);
        const qint64 start = m_clock.nsecsElapsed();
        m_window->navigator()->activate(to);
        if (!waitFor([&] { return m_firstPaint.contains(newest); }, 10'000))
            ++unpainted;
        times << (m_firstPaintNs.value(newest, start) - start) / 1e6; // to the paint itself
    }
    std::sort(times.begin(), times.end());
    return { { QStringLiteral("scenario"), QStringLiteral("switch") },
             { QStringLiteral("switches"), times.size() },
             { QStringLiteral("unpainted"), unpainted },
             { QStringLiteral("median_ms"), times.at(times.size() / 2) },
             { QStringLiteral("max_ms"), times.last() } };
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Parley"));
    QApplication::setApplicationName(QStringLiteral("parley"));
    QApplication::setStyle(new Ui::AppStyle);
    QCommandLineParser parser;
    parser.addOptions({
        { QStringLiteral("bots"), QStringLiteral("Run the bots against URL (internal)."),
          QStringLiteral("url") },
        { QStringLiteral("scenario"), QStringLiteral("steady, burst, memory, switch or all."),
          QStringLiteral("name"), QStringLiteral("all") },
        { QStringLiteral("rate"), QStringLiteral("Messages per second (steady)."),
          QStringLiteral("r"), QStringLiteral("50") },
        { QStringLiteral("seconds"), QStringLiteral("Seconds (steady)."), QStringLiteral("s"),
          QStringLiteral("20") },
        { QStringLiteral("messages"), QStringLiteral("Messages (memory)."), QStringLiteral("n"),
          QStringLiteral("100000") },
        { QStringLiteral("json"), QStringLiteral("Write the results here."),
          QStringLiteral("file") },
    });
    parser.process(app);
    if (parser.isSet(QStringLiteral("bots")))
        return runBots(QUrl(parser.value(QStringLiteral("bots"))));

    Bench bench;
    if (!bench.start(QCoreApplication::applicationFilePath())) {
        std::fprintf(stderr, "parley-clientbench: setup failed\n");
        return 1;
    }
    const QString scenario = parser.value(QStringLiteral("scenario"));
    const bool all = scenario == QLatin1String("all");
    QJsonObject results;
    // Exit 1 when a scenario's messages were not all shown (bench_client_smoke relies on it).
    bool failed = false;
    const auto report = [&results, &failed](const QJsonObject &result) {
        std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        results.insert(result.value(QStringLiteral("scenario")).toString(), result);
        const bool unshown = result.contains(QStringLiteral("last_shown_after_ms"))
            && result.value(QStringLiteral("last_shown_after_ms")).isNull();
        const bool nothingSent = result.contains(QStringLiteral("messages"))
            && result.value(QStringLiteral("messages")).toInt() == 0;
        if (unshown || nothingSent || result.value(QStringLiteral("unpainted")).toInt() > 0) {
            std::fprintf(stderr, "parley-clientbench: %s: not every message was shown\n",
                         qPrintable(result.value(QStringLiteral("scenario")).toString()));
            failed = true;
        }
    };
    if (all || scenario == QLatin1String("idle"))
        report(bench.idle(5));
    if (all || scenario == QLatin1String("steady"))
        report(bench.steady(parser.value(QStringLiteral("rate")).toDouble(),
                            parser.value(QStringLiteral("seconds")).toInt()));
    if (all || scenario == QLatin1String("burst"))
        report(bench.burst(500, 10));
    if (all || scenario == QLatin1String("switch"))
        report(bench.switching());
    if (all || scenario == QLatin1String("memory"))
        report(bench.memory(parser.value(QStringLiteral("messages")).toInt()));
    if (parser.isSet(QStringLiteral("json"))) {
        QFile out(parser.value(QStringLiteral("json")));
        if (out.open(QIODevice::WriteOnly))
            out.write(QJsonDocument(results).toJson());
    }
    return failed ? 1 : 0;
}
