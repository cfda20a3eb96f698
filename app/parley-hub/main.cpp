// parley-hub: the headless hub. Wires the command line to a HubRunner and waits for a signal.

#include "hub/hubrunner.h"
#include "options.h"
#include "protocol/events.h"

#include <QCoreApplication>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/signalfd.h>
#include <unistd.h>

using namespace Parley::Hub;

int main(int argc, char *argv[])
{
    // SIGINT/SIGTERM arrive through a signalfd so the shutdown runs in the event loop.
    sigset_t blockedSignals;
    sigemptyset(&blockedSignals);
    sigaddset(&blockedSignals, SIGINT);
    sigaddset(&blockedSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &blockedSignals, nullptr); // before any thread starts: all inherit it
    std::signal(SIGPIPE, SIG_IGN);

    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Parley"));
    QCoreApplication::setApplicationName(QStringLiteral("parley-hub"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PARLEY_VERSION));

    const HubSettings settings = Parley::HubCli::settingsFromCommandLine(app);

    HubRunner runner(settings);
    QString error;
    if (!runner.start(&error)) {
        std::fprintf(stderr, "parley-hub: %s\n", qPrintable(error));
        return 2;
    }

    const QString address = settings.bindAddress.protocol() == QAbstractSocket::IPv6Protocol
            ? QStringLiteral("[%1]").arg(settings.bindAddress.toString())
            : settings.bindAddress.toString();
    // What a client needs to sign its connect for this hub (docs/protocol.md, "Identity"): the
    // fingerprint over wss://, the hub id over ws://.
    if (runner.fingerprint().isEmpty())
        std::printf("Listening on ws://%s:%u/socket hub id %s\n", qPrintable(address),
                    unsigned(runner.port()), qPrintable(runner.hubId()));
    else
        std::printf("Listening on wss://%s:%u/socket fingerprint sha256:%s hub id %s\n",
                    qPrintable(address), unsigned(runner.port()), qPrintable(runner.fingerprint()),
                    qPrintable(runner.hubId()));
    std::fflush(stdout);

    const int signalFd = signalfd(-1, &blockedSignals, SFD_CLOEXEC | SFD_NONBLOCK);
    QSocketNotifier notifier(signalFd, QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&] {
        signalfd_siginfo info;
        while (read(signalFd, &info, sizeof info) == sizeof info) { }
        notifier.setEnabled(false);
        runner.stop(); // every client gets 1001 going away
        app.quit();
    });
    const int code = app.exec();
    close(signalFd);
    return code;
}
