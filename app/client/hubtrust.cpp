#include "client/hubtrust.h"

#include "client/hubaddress.h"
#include "client/hubbrowser.h"
#include "protocol/events.h"
#include "protocol/identity.h"

namespace Parley::Client {

QString TrustRecords::pinFor(const QUrl &mountUrl) const
{
    return pins.value(hubAddressText(mountUrl));
}

bool TrustRecords::isEncryptedAddress(const QUrl &mountUrl) const
{
    return !pinFor(mountUrl).isEmpty();
}

bool TrustRecords::isPlainAllowed(const QUrl &mountUrl) const
{
    return plainAllowed.contains(hubAddressText(mountUrl));
}

QString TrustRecords::plainRefusal(const QUrl &mountUrl, const QString &hubId) const
{
    if (isPlainAllowed(mountUrl))
        return {}; // the user chose it
    if (isEncryptedHub(hubId))
        return Protocol::Reason::NotEncrypted;
    const QSet<QString> known = plainHubs.value(hubId);
    if (!known.isEmpty() && !known.contains(hubAddressText(mountUrl)))
        return Protocol::Reason::UnverifiedHub;
    return {};
}

QString trustKeyOf(const QUrl &mountUrl, const QString &pinnedFingerprint, const QString &hubId)
{
    if (mountUrl.scheme() == QLatin1String("wss"))
        return pinnedFingerprint.isEmpty()
            ? QString()
            : Protocol::Identity::fingerprintBinding(pinnedFingerprint);
    return hubId.isEmpty() ? QString() : Protocol::Identity::hubIdBinding(hubId);
}

bool isEncryptedKey(const QString &trustKey)
{
    return trustKey.startsWith(Protocol::Identity::fingerprintBinding(QString()));
}

BeaconTrust judgeBeacon(const DiscoveredHub &hub, const TrustRecords &records)
{
    const QString announced = hub.tls ? hub.fingerprint : QString();
    const QString addressPin = records.pinFor(hub.mountUrl());
    // An address trusted with one certificate announcing another (or none).
    if (!addressPin.isEmpty() && addressPin != announced)
        return BeaconTrust::Unverified;
    if (!hub.tls) {
        const QSet<QString> known = records.plainHubs.value(hub.hubId);
        if (!known.isEmpty() && !known.contains(hubAddressText(hub.mountUrl())))
            return BeaconTrust::Unverified;
    }
    if (records.isEncryptedHub(hub.hubId)) {
        // A hub verified before: only with its own certificate, at an address trusted with it.
        const QString verified = records.verifiedHubs.value(hub.hubId);
        return announced == verified && addressPin == verified ? BeaconTrust::Known
                                                               : BeaconTrust::Unverified;
    }
    return BeaconTrust::New;
}

} // namespace Parley::Client
