#include "ui/discoverydiagnosis.h"

#include <QCoreApplication>

namespace Parley::Ui {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("Parley::Ui::DiscoveryDiagnosis", text);
}
} // namespace

QStringList discoveryDiagnosis(const DiscoveryFacts &facts)
{
    QStringList said;
    using Mode = Client::DiscoveryMode;
    if (facts.mode == Mode::Off) {
        said << tr("Looking for hubs on the network is turned off (--discovery off). Join by "
                   "address or with an invite link.");
        return said;
    }
    if (!facts.listening) {
        said << tr("Parley could not listen for hub announcements on UDP port %1 (%2). Another "
                   "program may be using the port. Hubs can still be joined by address or with "
                   "an invite link.")
                    .arg(facts.port)
                    .arg(facts.bindError.isEmpty() ? tr("no reason given") : facts.bindError);
    }
    if (facts.mode == Mode::Loopback) {
        said << tr("Parley looks for hubs on this computer only (loopback mode). To look on your "
                   "network, start it with PARLEY_DISCOVERY=lan.");
    } else {
        QStringList used;
        QStringList skipped;
        for (const Client::LocalAddress &address : facts.interfaces) {
            const QString text
                = QStringLiteral("%1 (%2)").arg(address.interfaceName, address.ip.toString());
            (address.isVirtual() && !facts.includeVirtual ? skipped : used) << text;
        }
        if (used.isEmpty())
            said << tr("This computer is not connected to a network: only hubs on this computer "
                       "can be found.");
        else
            said << tr("Parley looks on: %1.").arg(used.join(QStringLiteral(", ")));
        if (!skipped.isEmpty())
            said << tr("It skips VPN and virtual adapters, where other people rarely are: %1. "
                       "Tick “Also look on VPN and virtual adapters” to include them.")
                        .arg(skipped.join(QStringLiteral(", ")));
    }
    if (facts.announcing && facts.listening) {
        if (facts.ownHubHeard)
            said << tr("Parley hears the announcement of the hub this computer hosts, so discovery "
                       "works here. A hub that is not listed is on another network (behind a "
                       "router, a VPN or a guest Wi-Fi) or blocked by its computer's firewall.");
        else if (facts.searchedSeconds >= 3)
            said << tr("Parley does not hear the announcement of the hub this computer hosts: "
                       "this network or a firewall drops broadcasts, so nobody will find hubs "
                       "this way. Send an invite link instead (Invite people, under the hub's "
                       "name).");
    } else if (facts.listening && facts.hubsFound == 0 && facts.searchedSeconds > 0) {
        said << tr("No hub answered in %1. Hubs on another network (behind a router, a VPN or a "
                   "guest Wi-Fi) are never found this way, and Wi-Fi that keeps devices apart "
                   "drops the announcements: ask the host for an invite link or the address.")
                    .arg(facts.searchedSeconds == 1 ? tr("1 second")
                                                    : tr("%1 seconds").arg(facts.searchedSeconds));
    }
    if (!facts.reachableAt.isEmpty())
        said << tr("Others can reach the hub on this computer at %1.")
                    .arg(facts.reachableAt.join(QStringLiteral(", ")));
    return said;
}

QString unverifiedHubExplanation(const QString &name)
{
    return QCoreApplication::translate(
               "Parley::Ui::DiscoveryDiagnosis",
               "This hub says it is “%1”, which you joined before, but it announces another "
               "address or another safety code. It may be someone else on the network. Joining "
               "it asks you to check its safety code first.")
        .arg(name);
}

} // namespace Parley::Ui
