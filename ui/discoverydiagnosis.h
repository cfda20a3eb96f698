#pragma once

#include "client/hubbrowser.h"
#include "client/localaddresses.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Parley::Ui {

// What the join dialog knows about discovery when no hub shows up.
struct DiscoveryFacts
{
    Client::DiscoveryMode mode = Client::DiscoveryMode::Lan;
    bool listening = false; // the discovery port could be bound
    QString bindError; // why not
    quint16 port = Client::HubBrowser::DefaultPort;
    int searchedSeconds = 0;
    int hubsFound = 0;
    QList<Client::LocalAddress> interfaces; // this computer's, the likeliest first
    bool includeVirtual = false; // the user asked to look on VPN and virtual adapters too
    bool announcing = false; // this app hosts a hub and announces it
    bool ownHubHeard = false; // and its announcement came back to the browser
    QStringList reachableAt; // "ADDRESS:PORT" others can use for the hosted hub
};

// What was checked and what was found, in words a non-expert understands, one sentence or short
// paragraph per entry, most telling first. Plain text.
QStringList discoveryDiagnosis(const DiscoveryFacts &facts);

// What an unverified hub on the LAN (Client::BeaconTrust::Unverified) is, in words: it names a
// hub this app verified, but not as that hub was verified. Plain text.
QString unverifiedHubExplanation(const QString &name);

} // namespace Parley::Ui
