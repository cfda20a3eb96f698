// parley: the desktop app. Wires the command line to parley_ui (settings, workspace, window)
// and starts.

#include "client/hubaddress.h"
#include "client/hubbrowser.h"
#include "client/invitelink.h"
#include "parley/hostcontroller.h"
#include "parley/instancechannel.h"
#include "parley/launcher.h"
#include "parley/workspace.h"
#include "protocol/fingerprint.h"
#include "protocol/privatefiles.h"
#include "ui/appsettings.h"
#include "ui/appstyle.h"
#include "ui/icons.h"
#include "ui/identityactions.h"
#include "ui/mainwindow.h"
#include "ui/nicknamedialog.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>

#include <csignal>
#include <cstdio>

using namespace Parley;

namespace {

[[noreturn]] void fail(const QString &message)
{
    std::fprintf(stderr, "parley: %s\n", qPrintable(message));
    std::exit(2);
}

} // namespace

int main(int argc, char *argv[])
{
    std::signal(SIGPIPE, SIG_IGN);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Parley"));
    QApplication::setApplicationName(QStringLiteral("parley"));
    QApplication::setApplicationDisplayName(QStringLiteral("Parley"));
    QApplication::setApplicationVersion(QStringLiteral(PARLEY_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("parley"));
    QApplication::setWindowIcon(Ui::Icons::appIcon());
    QApplication::setStyle(new Ui::AppStyle); // the platform style, with the app's dialog icons

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Parley: chat and presence on your local network. Host a hub for your team or join "
        "one. Without arguments the first start asks for a nickname and lists the hubs on the "
        "LAN; later starts return to the hubs of the last run. With a parley:// invite link it "
        "joins that hub (in the app already running, if there is one)."));
    parser.addPositionalArgument(QStringLiteral("link"),
                                 QStringLiteral("A parley:// invite link to open."),
                                 QStringLiteral("[link]"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        { QStringLiteral("nick"), QStringLiteral("Nickname to use (and keep)."),
          QStringLiteral("nick") },
        { QStringLiteral("host"), QStringLiteral("Host a hub with this name at start."),
          QStringLiteral("name") },
        { QStringLiteral("port"),
          QStringLiteral("Port of the hub started with --host; 0 picks any free port."),
          QStringLiteral("port") },
        { QStringLiteral("join"),
          QStringLiteral(
              "Join the hub at HOST:PORT (encrypted, wss://), or at ws://HOST:PORT for a "
              "hub started with --no-tls. May be given several times, and with --host: "
              "the app is on all of them at once."),
          QStringLiteral("url") },
        { QStringLiteral("trust"),
          QStringLiteral("With --join: trust the hub certificate with this SHA-256 fingerprint (as "
                         "parley-hub prints it) without asking. With several --join, one --trust "
                         "per --join, in the same order."),
          QStringLiteral("fingerprint") },
        { QStringLiteral("data-dir"),
          QStringLiteral("Where a hosted hub keeps its history (default: the app data directory)."),
          QStringLiteral("dir") },
        { QStringLiteral("discovery"),
          QStringLiteral("LAN discovery: lan, loopback (127.0.0.1 only, for tests) or off. "
                         "Default: $PARLEY_DISCOVERY or lan."),
          QStringLiteral("mode") },
        { QStringLiteral("identity"),
          QStringLiteral("Your identity key (PEM): made there on first start if the file does not "
                         "exist. Default: identity.pem in the settings directory given with "
                         "--settings-dir, else in the app data directory."),
          QStringLiteral("file") },
        { QStringLiteral("settings-dir"),
          QStringLiteral("Keep settings in this directory instead of the user's (tests, "
                         "screenshots, a second identity on one computer)."),
          QStringLiteral("dir") },
        { QStringLiteral("screenshot"),
          QStringLiteral("Save a PNG of the window once a room is shown, then quit."),
          QStringLiteral("file") },
    });
    parser.process(app);

    if (parser.isSet(QStringLiteral("settings-dir"))) {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                           parser.value(QStringLiteral("settings-dir")));
    }
    Client::DiscoveryMode discovery
        = Protocol::Discovery::modeFromEnvironment(Client::DiscoveryMode::Lan);
    if (parser.isSet(QStringLiteral("discovery"))) {
        const auto mode
            = Protocol::Discovery::modeFromString(parser.value(QStringLiteral("discovery")));
        if (!mode)
            fail(QStringLiteral("--discovery must be lan, loopback or off"));
        discovery = *mode;
    }

    App::LaunchOptions launch;
    if (parser.isSet(QStringLiteral("host")))
        launch.hostName = parser.value(QStringLiteral("host"));
    if (parser.isSet(QStringLiteral("port"))) {
        bool ok = false;
        const uint port = parser.value(QStringLiteral("port")).toUInt(&ok);
        if (!ok || port > 65535)
            fail(QStringLiteral("--port must be from 0 to 65535"));
        launch.port = quint16(port);
    }
    for (const QString &join : parser.values(QStringLiteral("join"))) {
        QString error;
        const auto url = Client::parseHubAddress(join, &error);
        if (!url)
            fail(QStringLiteral("--join: ") + error);
        launch.joinUrls.append(*url);
    }
    for (const QString &trust : parser.values(QStringLiteral("trust"))) {
        const QString fingerprint = Protocol::Fingerprint::normalized(trust);
        if (fingerprint.isEmpty())
            fail(QStringLiteral("--trust needs a SHA-256 fingerprint (64 hex digits, sha256: prefix allowed)"));
        launch.trustFingerprints.append(fingerprint);
    }
    if (launch.trustFingerprints.size() > launch.joinUrls.size())
        fail(QStringLiteral("--trust goes with --join (one --trust per --join)"));
    launch.screenshotFile = parser.value(QStringLiteral("screenshot"));
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        fail(QStringLiteral("give one invite link at most"));
    if (!positional.isEmpty()) {
        if (!Client::InviteLink::isInvite(positional.first()))
            fail(QStringLiteral("%1 is not a parley:// invite link (for an address, use --join)")
                     .arg(positional.first()));
        launch.inviteLink = positional.first();
    }

    Ui::AppSettings settings;
    // One app per settings: a second start hands its invite link to the running one and quits.
    App::InstanceChannel instance(settings.fileName());
    if (launch.screenshotFile.isEmpty()) {
        if (instance.handToRunning(positional))
            return 0;
        instance.listen(nullptr); // if not, later starts run beside this one
    }
    const QString appData = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    const QString dataDir = parser.isSet(QStringLiteral("data-dir"))
        ? parser.value(QStringLiteral("data-dir"))
        : appData;
    // The app's own folders are 0700, also where an older version left them open to everyone:
    // the app data folder (the embedded hub's history, the identity) and the identity's folder.
    // A --data-dir is not the app's own; the hub makes its folder in it 0700.
    QStringList privateFolders;
    if (!parser.isSet(QStringLiteral("data-dir")))
        privateFolders.append(appData);
    QString identityPath = parser.value(QStringLiteral("identity"));
    if (identityPath.isEmpty()) {
        const QString dir = parser.isSet(QStringLiteral("settings-dir"))
            ? parser.value(QStringLiteral("settings-dir"))
            : appData;
        identityPath = QDir(dir).filePath(QStringLiteral("identity.pem"));
        privateFolders.append(dir);
    }
    privateFolders.removeDuplicates();
    for (const QString &folder : std::as_const(privateFolders)) {
        if (QString why; !Protocol::PrivateFiles::ensureFolder(folder, &why))
            std::fprintf(stderr, "parley: %s\n", qPrintable(why));
    }
    {
        // Asks what to do with an unreadable key file, unless the file was named on purpose
        // (--identity) or nobody is there to answer (--screenshot).
        const bool mayAsk = !parser.isSet(QStringLiteral("identity")) && launch.screenshotFile.isEmpty();
        QString error;
        if (!Ui::IdentityActions::loadAtStart(&settings, identityPath, mayAsk, &error))
            fail(error);
    }
    if (parser.isSet(QStringLiteral("nick"))) {
        const QString nick = parser.value(QStringLiteral("nick"));
        if (const QString error = Ui::AppSettings::nickError(nick); !error.isEmpty())
            fail(QStringLiteral("--nick: ") + error);
        settings.setNick(nick);
    }
    const bool firstStart = settings.nick().isEmpty();
    if (firstStart) {
        Ui::NicknameDialog dialog;
        if (dialog.exec() != QDialog::Accepted)
            return 0;
        settings.setNick(dialog.nick());
    }

    App::WorkspaceOptions workspaceOptions;
    workspaceOptions.dataDir = dataDir;
    workspaceOptions.discovery = discovery;
    App::Workspace workspace(&settings, workspaceOptions,
                             App::makeHostController(workspaceOptions));
    Ui::MainWindow window(&workspace, &settings);
    window.showAtStart();

    QObject::connect(&instance, &App::InstanceChannel::received, &window,
                     [&window](const QStringList &arguments) {
                         window.showNormal();
                         window.raise();
                         window.activateWindow();
                         if (!arguments.isEmpty())
                             window.openInviteLink(arguments.first());
                     });

    App::Launcher launcher(&settings, &workspace, &window);
    QString error;
    if (!launcher.start(launch, &error)) {
        if (!launch.screenshotFile.isEmpty())
            fail(QStringLiteral("cannot host: ") + error);
        QMessageBox::warning(&window, QObject::tr("Cannot host"),
                             QObject::tr("The hub did not start: %1").arg(error));
    }
    return app.exec();
}
