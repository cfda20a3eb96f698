#pragma once

#include <QMap>
#include <QSet>
#include <QString>
#include <QUrl>

namespace Parley::Client {

struct DiscoveredHub;

// What this client has verified about hubs (docs/protocol.md, "No downgrade, no borrowed
// trust"), as the plain data the app keeps: the certificate trusted at each address, the
// certificate each hub id was verified with, and the addresses the user chose, explicitly, to
// reach without encryption. The rules that follow from it are below; a beacon, a link or a hub's
// own claim never changes it.
struct TrustRecords
{
    QMap<QString, QString> pins; // "HOST:PORT" -> the fingerprint trusted there
    QMap<QString, QString> verifiedHubs; // hub id -> the fingerprint it was reached with (wss)
    QSet<QString> plainAllowed; // "HOST:PORT" the user chose to reach over plain ws://
    // hub id -> the "HOST:PORT" it was reached at over plain ws:// (nothing verified it: the
    // address is all there is to tell it from a hub that claims its id).
    QMap<QString, QSet<QString>> plainHubs;

    QString pinFor(const QUrl &mountUrl) const;
    // Reached (or trusted) over TLS before: plain ws:// there needs the user's explicit choice.
    bool isEncryptedAddress(const QUrl &mountUrl) const;
    bool isEncryptedHub(const QString &hubId) const { return !verifiedHubs.value(hubId).isEmpty(); }
    bool isPlainAllowed(const QUrl &mountUrl) const;
    // Why the hub that GET /hub names at `mountUrl` may not be spoken to over plain ws:// (a
    // reason of Protocol::Reason: not_encrypted for a hub verified over TLS, unverified_hub for
    // a plain hub known at other addresses only), or empty if it may.
    QString plainRefusal(const QUrl &mountUrl, const QString &hubId) const;
};

// The key everything kept per hub is filed under (passwords, rooms to reopen, read places,
// drafts): what its connects are bound to, "fp:" + the certificate it must present over wss://,
// "hub:" + its id over ws://. Empty while unknown (a ws:// hub before it said its id).
QString trustKeyOf(const QUrl &mountUrl, const QString &pinnedFingerprint, const QString &hubId);
// True for a key of a hub reached over TLS (only those may be given kept passwords).
bool isEncryptedKey(const QString &trustKey);

// How far a hub heard on the LAN may be believed.
enum class BeaconTrust {
    // A hub id and an address this client knows nothing of: its announced certificate may be
    // trusted on first use, as the user joins it.
    New,
    // A hub this client verified, announced at an address trusted with that very certificate.
    Known,
    // It names a hub this client verified, from another address, with another certificate or
    // without encryption; or it comes from an address trusted with another certificate; or it
    // names a plain hub known at other addresses only. Shown as a different hub; joining it asks
    // the user first.
    Unverified,
};
BeaconTrust judgeBeacon(const DiscoveredHub &hub, const TrustRecords &records);

} // namespace Parley::Client
