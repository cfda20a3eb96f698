// Renders the screenshots of docs/screenshots/ with the real widgets, a real embedded hub and
// a few scripted users, all on 127.0.0.1 with loopback discovery. Run offscreen by
// tools/screenshots.sh: parley_screenshots OUTPUT_DIR [--dark]

#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/hubaddress.h"
#include "client/hublistmodel.h"
#include "client/messagemodel.h"
#include "client/presencemodel.h"
#include "client/roomlistmodel.h"
#include "hub/hubrunner.h"
#include "hub/sqlitehistorystore.h"
#include "parley/hostcontroller.h"
#include "parley/workspace.h"
#include "protocol/topics.h"
#include "testkeys.h"
#include "ui/appsettings.h"
#include "ui/appstyle.h"
#include "ui/connectionbanner.h"
#include "ui/hubheader.h"
#include "ui/joindialog.h"
#include "ui/mainwindow.h"
#include "ui/messageview.h"
#include "ui/nicknamedialog.h"
#include "ui/onlineuserspanel.h"
#include "ui/qrcodedialog.h"
#include "ui/roomnavigator.h"
#include "ui/settingsdialog.h"
#include "ui/statusbutton.h"
#include "ui/trustedhubsdialog.h"
#include "ui/welcomepane.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QSettings>
#include <QStyleFactory>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <QUdpSocket>

#include <cstdio>
#include <memory>

using namespace Parley;

namespace {

const QString hubId = QStringLiteral("5c1e2a8e-screenshot-hub");
const QString anaId = Parley::Testing::TestKeys::userId(QStringLiteral("ana"));

struct Person
{
    QString id;
    QString nick;
};
const Person bo { Parley::Testing::TestKeys::userId(QStringLiteral("bo")), QStringLiteral("Bo Lindqvist") };
const Person chen { Parley::Testing::TestKeys::userId(QStringLiteral("chen")), QStringLiteral("Chen") };
const Person dana { Parley::Testing::TestKeys::userId(QStringLiteral("dana")), QStringLiteral("Dana Okafor") };
const Person eli { Parley::Testing::TestKeys::userId(QStringLiteral("eli")), QStringLiteral("Eli") };

bool fail(const QString &what)
{
    std::fprintf(stderr, "parley_screenshots: %s\n", qPrintable(what));
    return false;
}

// Yesterday's and this morning's history, written straight into the hub's SQLite file.
bool seedHistory(const QString &hubDir)
{
    QDir().mkpath(hubDir);
    Hub::SqliteHistoryStore store(QDir(hubDir).filePath(QStringLiteral("hub.sqlite3")));
    QString error;
    if (!store.open(&error) || !store.setMeta(QStringLiteral("hub_id"), hubId, &error))
        return fail(error);
    const qint64 threeDaysAgo = QDateTime::currentDateTime().addDays(-3).toMSecsSinceEpoch();
    for (const auto &[name, title] :
         { std::pair { "general", "General" }, std::pair { "design", "Design review" },
           std::pair { "release", "Release 0.2" }, std::pair { "random", "Random" } }) {
        Hub::RoomRecord room;
        room.name = QLatin1String(name);
        room.title = QLatin1String(title);
        room.createdTs = threeDaysAgo;
        if (!store.createRoom(room, &error))
            return fail(error);
    }
    // Fixed local times on the two days before today, so the picture does not depend on when
    // it is rendered; today holds only what the scripted users send live.
    const auto at = [](int daysAgo, int hour, int minute) {
        return QDateTime(QDate::currentDate().addDays(-daysAgo), QTime(hour, minute))
            .toMSecsSinceEpoch();
    };
    struct Line
    {
        qint64 ts;
        Person who;
        const char *body;
    };
    const Person ana { anaId, QStringLiteral("Ana") };
    const QList<Line> lines {
        { at(2, 16, 2), bo,
          "Is the build server down again? My job has been queued for 20 minutes." },
        { at(2, 16, 5), chen,
          "Looks fine from here, try again: https://ci.example.lan/job/parley" },
        { at(2, 16, 6), bo, "Works now, thanks!" },
        { at(1, 17, 40), dana, "Heads-up: stand-up moves to 9:30 tomorrow." },
        { at(1, 17, 40), dana, "Agenda is in the wiki: www.example.lan/wiki/standup" },
        { at(1, 17, 46), eli, "I might be a few minutes late, the trains are on strike \u2639" },
        { at(1, 17, 51), ana, "No problem, we start with the release notes." },
        { at(1, 17, 52), ana,
          "Bo, can you share the draft?\nThe one with the new discovery section." },
        { at(1, 18, 5), chen,
          "<b>Reminder</b>: bodies are plain text, so <this> stays exactly as typed." },
    };
    QList<Hub::NewMessage> messages;
    for (const Line &line : lines)
        messages.append({ QStringLiteral("general"),
                          line.who.id,
                          line.who.nick,
                          QString::fromUtf8(line.body),
                          {},
                          line.ts });
    messages.append({ QStringLiteral("design"),
                      dana.id,
                      dana.nick,
                      QStringLiteral("New mockups for the join dialog are up."),
                      {},
                      at(1, 16, 30) });
    if (!store.append(messages, &error))
        return fail(error);
    return true;
}

// The scripted users trust the hosted hub's certificate (as if they had compared the code).
QString g_hubFingerprint;

std::unique_ptr<Client::ChatSession> connectAs(const Person &who, const QUrl &url)
{
    Client::Identity identity;
    identity.key = Parley::Testing::TestKeys::of(who.id);
    identity.nick = who.nick;
    auto session = std::make_unique<Client::ChatSession>(identity);
    session->setPinnedFingerprint(g_hubFingerprint);
    session->connectToHub(url);
    return session;
}

// A second hub on 127.0.0.1 (plain ws://, in memory), announced over loopback if asked.
std::unique_ptr<Hub::HubRunner> startOtherHub(const QString &name, bool announce,
                                              const QString &password = {}, bool tls = false)
{
    Hub::HubSettings settings;
    settings.bindAddress = QHostAddress::LocalHost;
    settings.port = 0;
    settings.name = name;
    settings.tls = tls;
    settings.password = password;
    settings.maxRate = 0; // the scripted users post in bursts
    settings.discovery = announce ? Hub::DiscoveryMode::Loopback : Hub::DiscoveryMode::Off;
    auto hub = std::make_unique<Hub::HubRunner>(settings);
    QString error;
    if (!hub->start(&error)) {
        fail(error);
        return nullptr;
    }
    return hub;
}

bool waitJoined(Client::ChatSession *session, const QString &topic)
{
    if (!session->isOpen(topic))
        session->openTopic(topic);
    return QTest::qWaitFor([&] { return session->isJoined(topic); }, 10'000);
}

// Draws the dialog centred over a dimmed picture of the window, as a user sees it.
QImage composeDialog(QWidget *window, QWidget *dialog)
{
    QImage image = window->grab().toImage();
    QPainter painter(&image);
    painter.fillRect(image.rect(), QColor(0, 0, 0, 70));
    const QPixmap front = dialog->grab();
    const QSize size = front.deviceIndependentSize().toSize();
    const QPoint at((image.width() / image.devicePixelRatio() - size.width()) / 2,
                    (image.height() / image.devicePixelRatio() - size.height()) / 3);
    painter.setPen(QPen(window->palette().color(QPalette::Shadow), 1));
    painter.drawRect(QRect(at, size).adjusted(-1, -1, 0, 0));
    painter.drawPixmap(at, front);
    return image;
}

// A dialog on a plain desktop-like backdrop, with some room around it.
QImage onBackdrop(QWidget *dialog)
{
    const QPixmap front = dialog->grab();
    const QSize size = front.deviceIndependentSize().toSize();
    QImage image(size + QSize(120, 90), QImage::Format_ARGB32_Premultiplied);
    image.fill(dialog->palette().color(QPalette::Mid));
    QPainter painter(&image);
    const QPoint at(60, 45);
    painter.setPen(QPen(dialog->palette().color(QPalette::Shadow), 1));
    painter.drawRect(QRect(at, size).adjusted(-1, -1, 0, 0));
    painter.drawPixmap(at, front);
    return image;
}

bool save(const QImage &image, const QString &dir, const QString &name)
{
    const QString path = QDir(dir).filePath(name);
    if (!image.save(path))
        return fail(QStringLiteral("cannot write ") + path);
    std::printf("%s\n", qPrintable(path));
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Parley"));
    QApplication::setApplicationName(QStringLiteral("parley"));
    QApplication::setStyle(new Ui::AppStyle(QStyleFactory::create(QStringLiteral("Fusion"))));
    const QStringList args = app.arguments();
    if (args.size() < 2)
        return fail(QStringLiteral("usage: parley_screenshots OUTPUT_DIR [--dark]")), 2;
    const QString outDir = args.at(1);
    const bool dark = args.contains(QStringLiteral("--dark"));
    const QString suffix = dark ? QStringLiteral("-dark") : QString();
    QDir().mkpath(outDir);

    QTemporaryDir temp;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                       temp.filePath(QStringLiteral("settings")));
    // As a user who chose it in Settings: every window made below applies it.
    const auto chooseTheme = [dark] {
        Ui::Preferences preferences;
        preferences.theme = dark ? Ui::Preferences::Theme::Dark : Ui::Preferences::Theme::Light;
        Ui::AppSettings().setPreferences(preferences);
        Ui::AppStyle::applyTheme(preferences.theme);
    };
    chooseTheme();
    const QSize windowSize(1100, 680);

    // 1. First start: the nickname is asked before any window exists; then the window lists the
    //    hubs already on the network (two here, one with people on it, one locked) beside
    //    hosting and joining by address.
    if (!dark) {
        Ui::NicknameDialog dialog;
        dialog.show();
        QTest::qWait(100);
        if (!save(onBackdrop(&dialog), outDir, QStringLiteral("first-start.png")))
            return 1;
    }
    {
        auto design = startOtherHub(QStringLiteral("Design team"), true);
        auto ops = startOtherHub(QStringLiteral("Ops on-call"), true, QStringLiteral("on-call"));
        if (!design || !ops)
            return 1;
        auto boThere = connectAs(bo, design->url());
        auto chenThere = connectAs(chen, design->url());
        Ui::AppSettings settings;
        settings.setNick(QStringLiteral("Ana"));
        App::Workspace workspace(
            &settings, { {}, Client::DiscoveryMode::Loopback, QStringLiteral("Parley tests") });
        Ui::MainWindow window(&workspace, &settings);
        window.resize(QSize(900, 560));
        window.show();
        // Beacons carry the number of people: wait until both hubs and Design's two are heard.
        if (!QTest::qWaitFor(
                [&] {
                    const auto hubs = window.welcomePane()->discoveredHubs();
                    return hubs.size() == 2 && hubs.first().users == 2;
                },
                15'000))
            return fail(QStringLiteral("the two hubs were not discovered")), 1;
        QTest::qWait(100);
        if (!save(window.grab().toImage(), outDir, QStringLiteral("welcome%1.png").arg(suffix)))
            return 1;
        QSettings().clear();
        chooseTheme();
    }

    // 2. Hosting, with a busy room.
    const QString dataDir = temp.filePath(QStringLiteral("data"));
    if (!seedHistory(QDir(dataDir).filePath(QStringLiteral("hub"))))
        return 1;
    {
        QSettings raw;
        const QString dmTopic = Protocol::dmTopic(anaId, chen.id);
        raw.setValue(QStringLiteral("topics/") + hubId,
                     QStringList { QStringLiteral("room:general"), QStringLiteral("room:design"),
                                   QStringLiteral("room:release"), dmTopic });
    }
    Ui::AppSettings settings;
    settings.setIdentityKey(Parley::Testing::TestKeys::of(anaId));
    settings.setNick(QStringLiteral("Ana"));
    // On loopback: the join dialog checks whether remembered hubs answer (a TCP connect), and
    // nothing here may reach past this machine.
    settings.rememberHub(QStringLiteral("fp:") + QString(64, u'b'), QStringLiteral("build-lab"),
                         QStringLiteral("Build lab"),
                         QUrl(QStringLiteral("wss://127.0.0.1:4001/socket")),
                         QDateTime::currentMSecsSinceEpoch() - 2 * 86'400'000);
    const App::WorkspaceOptions options { dataDir, Client::DiscoveryMode::Loopback,
                                          QStringLiteral("Parley tests") };
    App::Workspace workspace(&settings, options, App::makeHostController(options));
    Ui::MainWindow window(&workspace, &settings);
    window.resize(windowSize);
    window.show();
    Ui::HostOptions host;
    host.name = QStringLiteral("Ana's hub");
    host.port = 0;
    host.announce = true;
    QString error;
    if (!workspace.host(host, &error))
        return fail(error), 1;
    const QUrl url = workspace.hostController()->localUrl();
    g_hubFingerprint = workspace.hostController()->fingerprint();
    const QString general = QStringLiteral("room:general");
    if (!QTest::qWaitFor(
            [&] {
                return window.navigator()->currentTopic() == general
                    && workspace.session()->isJoined(general);
            },
            10'000))
        return fail(QStringLiteral("the window did not open #general")), 1;

    // Joined to a second hub beside the hosted one: the rail shows both, the second with a
    // mention waiting.
    auto design = startOtherHub(QStringLiteral("Design team"), false);
    if (!design)
        return 1;
    Client::ChatSession *hosted = workspace.session();
    workspace.join(design->url());
    auto danaAtDesign = connectAs(dana, design->url());
    if (!waitJoined(danaAtDesign.get(), general)
        || !QTest::qWaitFor([&] { return workspace.session()->isJoined(general); }, 10'000))
        return fail(QStringLiteral("the second hub was not joined")), 1;
    workspace.setCurrent(hosted);
    danaAtDesign->conversation(general)->send(QStringLiteral("New mockups are up."));
    danaAtDesign->conversation(general)->send(
        QStringLiteral("Ana, could you review the onboarding flow?"));
    if (!QTest::qWaitFor(
            [&] {
                return window.navigator()->currentTopic() == general
                    && workspace.hubs()->index(1).data(Client::HubListModel::MentionsRole).toInt()
                    == 1;
            },
            10'000))
        return fail(QStringLiteral("no mention on the second hub")), 1;

    auto boSession = connectAs(bo, url);
    auto chenSession = connectAs(chen, url);
    auto danaSession = connectAs(dana, url);
    auto eliLaptop = connectAs(eli, url);
    auto eliPhone = connectAs(eli, url);
    for (auto *session : { boSession.get(), chenSession.get(), danaSession.get(), eliLaptop.get(),
                           eliPhone.get() }) {
        if (!waitJoined(session, general))
            return fail(QStringLiteral("a scripted user could not join")), 1;
    }
    chenSession->setStatus(QStringLiteral("away"));
    danaSession->setStatus(QStringLiteral("busy"));
    if (!waitJoined(boSession.get(), QStringLiteral("room:design")))
        return 1;
    boSession->conversation(QStringLiteral("room:design"))->send(QStringLiteral("Looks great!"));
    boSession->conversation(QStringLiteral("room:design"))
        ->send(QStringLiteral("One nit: the lock icon is tiny."));
    const QString dm = chenSession->dmTopicWith(anaId);
    if (!waitJoined(chenSession.get(), dm))
        return 1;
    chenSession->conversation(dm)->send(QStringLiteral("Got a minute after stand-up?"));
    boSession->conversation(general)->send(
        QStringLiteral("Sure, here it is: https://docs.example.lan/parley/release-notes"));
    boSession->conversation(general)->send(QStringLiteral("Comments welcome before Friday."));
    // An edited and a deleted message, so those states show too.
    const auto idOf = [](Client::ChatSession *session, const QString &topic, const QString &start) {
        Client::MessageModel *model = session->conversation(topic)->messages();
        for (int row = 0; row < model->rowCount(); ++row) {
            if (model->messageAt(row).body.startsWith(start))
                return model->messageAt(row).id;
        }
        return qint64(0);
    };
    workspace.session()->conversation(general)->edit(
        idOf(workspace.session(), general, QStringLiteral("No problem")),
        QStringLiteral("No problem, we start with the release notes."
                       " Slides are in the drive."));
    boSession->conversation(general)->remove(
        idOf(boSession.get(), general, QStringLiteral("Works now")));
    QTest::qWait(600); // the replies and presence diffs of the scripted users land
    eliLaptop->conversation(general)->setTyping(true);
    Client::ChatSession *ana = workspace.session();
    if (!QTest::qWaitFor(
            [&] { return ana->conversation(general)->presence()->typingNicks().size() == 1; },
            5000))
        std::fprintf(stderr, "parley_screenshots: Eli's typing did not arrive\n");
    QTest::qWait(300);
    if (!save(window.grab().toImage(), outDir,
              QStringLiteral("hosting-busy-room%1.png").arg(suffix)))
        return 1;
    // The people panel, cut to its rows.
    Ui::OnlineUsersPanel *panel = window.usersPanel();
    QListView *people = panel->view();
    const QRect lastRow
        = people->visualRect(people->model()->index(people->model()->rowCount() - 1, 0));
    const int panelHeight = people->mapTo(panel, lastRow.bottomLeft()).y() + 12;
    if (!save(panel->grab(QRect(0, 0, panel->width(), panelHeight)).toImage(), outDir,
              QStringLiteral("users-panel%1.png").arg(suffix)))
        return 1;

    // 2b. Two people called Ana: both get the tag of their key, and the status button's menu
    //     shows who this Ana is for sure (the fingerprint), with export and import.
    const Person otherAna { Parley::Testing::TestKeys::userId(QStringLiteral("ana-from-sales")), QStringLiteral("Ana") };
    auto otherAnaSession = connectAs(otherAna, url);
    if (!waitJoined(otherAnaSession.get(), general))
        return fail(QStringLiteral("the second Ana could not join")), 1;
    if (!QTest::qWaitFor(
            [&] { return ana->conversation(general)->presence()->rowOfUser(otherAna.id) >= 0; },
            5000))
        return fail(QStringLiteral("the second Ana is not in the people panel")), 1;
    QTest::qWait(200);
    const QRect lastRowNow
        = people->visualRect(people->model()->index(people->model()->rowCount() - 1, 0));
    if (!save(panel->grab(QRect(0, 0, panel->width(), people->mapTo(panel, lastRowNow.bottomLeft()).y() + 12))
                      .toImage(),
              outDir, QStringLiteral("users-panel-same-nick%1.png").arg(suffix)))
        return 1;
    if (!dark) {
        QMenu *menu = window.statusButton()->menu();
        menu->popup(window.statusButton()->mapToGlobal(QPoint(0, 0)));
        QTest::qWait(200);
        if (!save(menu->grab().toImage(), outDir, QStringLiteral("identity-menu.png")))
            return 1;
        menu->hide();
    }
    otherAnaSession->disconnectFromHub();

    // 3. The Join dialog: the hosted hub is announced over loopback and found.
    if (!dark) {
        Ui::JoinDialog join(&settings, Client::DiscoveryMode::Loopback, &window);
        join.resize(560, 440);
        join.show();
        if (!QTest::qWaitFor([&] { return join.discoveredList()->topLevelItemCount() > 0; },
                             10'000))
            return fail(QStringLiteral("no hub discovered over loopback")), 1;
        join.discoveredList()->setCurrentItem(join.discoveredList()->topLevelItem(0));
        QTest::qWait(200);
        if (!save(composeDialog(&window, &join), outDir, QStringLiteral("join-dialog.png")))
            return 1;
    }

    // 3b. The same dialog when nothing is heard: it listens on a port nobody announces on, so
    //     not even the hub this computer hosts is heard, and it explains what that means.
    if (!dark) {
        Ui::JoinDialog join(&settings, Client::DiscoveryMode::Loopback, &window);
        join.resize(600, 560);
        join.setDiagnosisDelayMs(0);
        QUdpSocket quiet; // a free port, held so no beacon can arrive on it
        if (!quiet.bind(QHostAddress::LocalHost, 0))
            return fail(QStringLiteral("no free UDP port")), 1;
        const quint16 quietPort = quiet.localPort();
        quiet.close();
        join.setDiscoveryPort(quietPort);
        join.setOwnHub(workspace.session()->hubId(), workspace.hosted().lanAddresses);
        join.show();
        if (!QTest::qWaitFor(
                [&] { return join.diagnosisText().contains(QStringLiteral("does not hear")); },
                10'000))
            return fail(QStringLiteral("the join dialog did not explain the silence")), 1;
        QTest::qWait(200);
        if (!save(composeDialog(&window, &join), outDir,
                  QStringLiteral("join-dialog-diagnosis.png")))
            return 1;
    }

    // 3c. Inviting people: the header's menu, and the QR code of the link.
    {
        Ui::HubHeader *header = window.hubHeader();
        QMenu *menu = header->inviteButton()->menu();
        menu->popup(
            header->inviteButton()->mapToGlobal(QPoint(0, header->inviteButton()->height())));
        QTest::qWait(200);
        if (!dark && !save(menu->grab().toImage(), outDir, QStringLiteral("invite-menu.png")))
            return 1;
        menu->hide();
        Ui::SettingsDialog preferences(&settings, &window);
        if (!save(composeDialog(&window, &preferences), outDir,
                  QStringLiteral("settings%1.png").arg(suffix)))
            return 1;
        Ui::QrCodeDialog qr(workspace.session()->hubName(), header->inviteLinks(), &window);
        qr.show();
        QTest::qWait(200);
        if (!save(composeDialog(&window, &qr), outDir,
                  QStringLiteral("invite-qr%1.png").arg(suffix)))
            return 1;
    }

    // 4. Trust on first use: the question for a hub joined by address, the warning when its
    // certificate changed, and the list of trusted hubs.
    if (!dark) {
        const QUrl typed(QStringLiteral("wss://192.168.1.31:4000/socket"));
        const QString shown = g_hubFingerprint;
        const QString before = QStringLiteral("9c41d07e5b2a88f3016c4e2d7a9b3f50c81e6d2a4f7b09e35d1c8a6f2e4b7d90");
        const auto grabTrustDialog = [&](const QString &pinned, const QString &name) {
            emit workspace.certificateRejected(workspace.session(), typed, shown, pinned);
            QMessageBox *box = nullptr;
            if (!QTest::qWaitFor([&] { return (box = window.findChild<QMessageBox *>(QStringLiteral("trustDialog"))); }, 5000))
                return fail(QStringLiteral("no trust dialog")), false;
            QTest::qWait(200);
            const bool ok = save(composeDialog(&window, box), outDir, name);
            box->reject();
            QTest::qWait(50); // deleted on close
            return ok;
        };
        if (!grabTrustDialog({}, QStringLiteral("trust-first-use.png"))
            || !grabTrustDialog(before, QStringLiteral("trust-changed.png")))
            return 1;
        settings.setPinnedFingerprint(QStringLiteral("192.168.1.31:4000"), before);
        settings.setPinnedFingerprint(QStringLiteral("10.0.4.17:4000"), shown);
        Ui::TrustedHubsDialog trusted(&settings, &window);
        trusted.show();
        trusted.list()->setCurrentRow(0);
        QTest::qWait(200);
        if (!save(composeDialog(&window, &trusted), outDir, QStringLiteral("trusted-hubs.png")))
            return 1;
    }
    // 5. A mistyped address: a port on this computer nothing listens on.
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0))
                return fail(QStringLiteral("no free TCP port")), 1;
            port = probe.serverPort();
        }
        Ui::AppSettings other;
        other.setNick(QStringLiteral("Ana"));
        App::Workspace joinOnly(&other,
                                { {}, Client::DiscoveryMode::Off, QStringLiteral("Parley tests") });
        Ui::MainWindow lost(&joinOnly, &other);
        lost.resize(QSize(900, 560));
        lost.show();
        joinOnly.join(QUrl(QStringLiteral("wss://127.0.0.1:%1/socket").arg(port)));
        if (!QTest::qWaitFor(
                [&] { return lost.banner()->text().startsWith(QStringLiteral("Can't reach")); },
                10'000))
            return fail(QStringLiteral("no unreachable message")), 1;
        QTest::qWait(200);
        if (!save(lost.grab().toImage(), outDir, QStringLiteral("unreachable%1.png").arg(suffix)))
            return 1;
        joinOnly.leave();
    }
    // 5b. A neighbour announces a hub of their own as "Design team", which Ana joined before:
    //     listed beside the real one as unverified.
    if (!dark) {
        auto design = startOtherHub(QStringLiteral("Design team"), true, {}, true);
        if (!design)
            return 1;
        QSettings().clear();
        chooseTheme();
        Ui::AppSettings other;
        other.setNick(QStringLiteral("Ana"));
        other.setPinnedFingerprint(Client::hubAddressText(design->url()), design->fingerprint());
        other.setVerifiedHub(design->hubId(), design->fingerprint());
        App::Workspace joinOnly(
            &other, { {}, Client::DiscoveryMode::Loopback, QStringLiteral("Parley tests") });
        Ui::MainWindow window(&joinOnly, &other);
        window.resize(QSize(900, 560));
        window.show();
        const QByteArray forged
            = QJsonDocument(QJsonObject { { "parley", 1 },
                                          { "hub_id", design->hubId() },
                                          { "name", "Design team" },
                                          { "port", int(design->port()) + 7 },
                                          { "rooms", 3 },
                                          { "users", 0 },
                                          { "locked", false },
                                          { "tls", true },
                                          { "fp", QString(QStringLiteral("7d3e")).repeated(16) } })
                  .toJson(QJsonDocument::Compact);
        QUdpSocket beacon;
        QTimer repeat;
        QObject::connect(&repeat, &QTimer::timeout, &beacon, [&] {
            beacon.writeDatagram(forged, QHostAddress::LocalHost, Client::HubBrowser::DefaultPort);
        });
        repeat.start(300);
        const auto heard = [&](quint16 port) {
            const auto hubs = window.welcomePane()->discoveredHubs();
            return std::any_of(
                hubs.cbegin(), hubs.cend(),
                [port](const Client::DiscoveredHub &hub) { return hub.port == port; });
        };
        if (!QTest::qWaitFor([&] { return heard(design->port()) && heard(design->port() + 7); },
                             15'000))
            return fail(QStringLiteral("the real and the forged hub were not both heard")), 1;
        QTest::qWait(200);
        if (!save(window.grab().toImage(), outDir, QStringLiteral("unverified-hub.png")))
            return 1;
        QSettings().clear();
        chooseTheme();
    }
    // 5c. A hub reached encrypted before now answers without encryption: nothing is sent, and
    //     the banner offers to connect anyway.
    {
        auto plain = startOtherHub(QStringLiteral("Build lab"), false);
        if (!plain)
            return 1;
        Ui::AppSettings other;
        other.setNick(QStringLiteral("Ana"));
        other.setPinnedFingerprint(Client::hubAddressText(plain->url()), g_hubFingerprint);
        App::Workspace joinOnly(&other,
                                { {}, Client::DiscoveryMode::Off, QStringLiteral("Parley tests") });
        Ui::MainWindow window(&joinOnly, &other);
        window.resize(QSize(900, 560));
        window.show();
        joinOnly.join(plain->url());
        if (!QTest::qWaitFor(
                [&] {
                    return window.banner()->text().contains(QStringLiteral("without encryption"));
                },
                10'000))
            return fail(QStringLiteral("no not-encrypted banner")), 1;
        QTest::qWait(200);
        if (!save(window.grab().toImage(), outDir,
                  QStringLiteral("not-encrypted%1.png").arg(suffix)))
            return 1;
        joinOnly.leave();
        QSettings().clear();
        chooseTheme();
    }
    // 6. The hub goes away: the people as last known, greyed, and since when.
    {
        auto gone = startOtherHub(QStringLiteral("Design team"), false);
        if (!gone)
            return 1;
        auto boThere = connectAs(bo, gone->url());
        auto danaThere = connectAs(dana, gone->url());
        Ui::AppSettings other;
        other.setNick(QStringLiteral("Ana"));
        other.setIdentityKey(Parley::Testing::TestKeys::of(anaId));
        App::Workspace joinOnly(&other,
                                { {}, Client::DiscoveryMode::Off, QStringLiteral("Parley tests") });
        Ui::MainWindow offline(&joinOnly, &other);
        offline.resize(windowSize);
        offline.show();
        joinOnly.join(gone->url());
        const QString general = QStringLiteral("room:general");
        if (!waitJoined(danaThere.get(), general) || !waitJoined(boThere.get(), general))
            return 1;
        danaThere->conversation(general)->send(QStringLiteral("Back in five, grabbing coffee."));
        if (!QTest::qWaitFor(
                [&] {
                    return joinOnly.session() && joinOnly.session()->hubPresence()->rowCount() == 3
                        && offline.navigator()->currentTopic() == general;
                },
                10'000))
            return fail(QStringLiteral("the offline scene did not fill")), 1;
        // 5b. Catching up: a busy room opened with 60 unread, then read from its first unread
        //     message while two more arrive.
        if (!dark) {
            const QString standup = QStringLiteral("room:standup");
            boThere->createRoom(QStringLiteral("standup"), QStringLiteral("Stand-up"), {});
            if (!QTest::qWaitFor(
                    [&] { return joinOnly.session()->rooms()->rowOfTopic(standup) >= 0; }, 10'000))
                return fail(QStringLiteral("no stand-up room")), 1;
            joinOnly.session()->openTopic(standup);
            if (!waitJoined(boThere.get(), standup)
                || !QTest::qWaitFor([&] { return joinOnly.session()->isJoined(standup); }, 10'000))
                return 1;
            for (int i = 1; i <= 60; ++i)
                boThere->conversation(standup)->send(
                    QStringLiteral("Build %1 passed on the arm64 runners; packaging next.")
                        .arg(400 + i));
            if (!QTest::qWaitFor(
                    [&] { return joinOnly.session()->rooms()->entry(standup).unread == 60; },
                    10'000))
                return fail(QStringLiteral("no unread in stand-up")), 1;
            offline.navigator()->activate(standup);
            if (!QTest::qWaitFor(
                    [&] { return offline.messageView()->firstUnreadBar()->isVisible(); }, 5'000))
                return fail(QStringLiteral("no jump bar")), 1;
            QTest::qWait(200);
            if (!save(offline.grab().toImage(), outDir, QStringLiteral("jump-first-unread.png")))
                return 1;
            offline.messageView()->firstUnreadBar()->click();
            boThere->conversation(standup)->send(QStringLiteral("Packaging done, 0.2 is ready."));
            boThere->conversation(standup)->send(QStringLiteral("Who wants to write the notes?"));
            if (!QTest::qWaitFor(
                    [&] {
                        return offline.messageView()->presentBar()->text().startsWith(
                            QStringLiteral("2 new"));
                    },
                    5'000))
                return fail(QStringLiteral("no present bar")), 1;
            QTest::qWait(200);
            if (!save(offline.grab().toImage(), outDir, QStringLiteral("jump-present.png")))
                return 1;
            offline.navigator()->activate(general);
            QTest::qWait(200);
        }
        QTest::qWait(300);
        gone.reset(); // the host's computer went to sleep
        if (!QTest::qWaitFor([&] { return joinOnly.session()->hubPresence()->offlineSince() > 0; },
                             10'000))
            return fail(QStringLiteral("never offline")), 1;
        QTest::qWait(300);
        if (!save(offline.grab().toImage(), outDir, QStringLiteral("offline%1.png").arg(suffix)))
            return 1;
        joinOnly.leave();
    }
    return 0;
}
