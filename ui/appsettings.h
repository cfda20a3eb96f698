#pragma once

#include "client/hubtrust.h"
#include "protocol/identity.h"

#include <QByteArray>
#include <QList>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace Parley::Ui {

// A hub the user joined before (by address, link or discovery), newest first in
// AppSettings::recentHubs(): one entry per hub, with every address it was reached at.
struct RecentHub
{
    QString trustKey; // what it was verified as (Client::trustKeyOf); entries are one per key
    QString hubId; // empty for entries kept before hub ids were remembered
    QString name;
    QList<QUrl> urls; // ws(s)://HOST:PORT/socket, the last used first
    qint64 lastSeenMs = 0; // when it last let us in (ms since the epoch), 0 if unknown

    QUrl url() const { return urls.value(0); }
};

// What the host dialog remembers between runs.
struct HostPreferences
{
    QString name;
    quint16 port = 4000; // 0: any free port
    bool announce = true;
};

// What the user chose in Settings (applied at once, kept across restarts).
struct Preferences
{
    enum class Theme { System, Light, Dark };
    enum class Notify { All, DirectAndMentions, Nothing };
    Theme theme = Theme::System;
    Notify notify = Notify::All; // which messages notify (Busy: mentions only, whatever this says)
    bool notificationText = true; // notifications show the message's text, not only who wrote
    bool startMinimised = false;

    bool operator==(const Preferences &) const = default;
};

// The app's persistent settings (QSettings "Parley"/"parley"): identity, recent hubs, the last
// session and the window geometry. Tests point QSettings at a temporary directory
// (QSettings::setDefaultFormat(IniFormat) + setPath) before creating one. Owned by main() or the
// test; GUI thread.
class AppSettings
{
public:
    AppSettings();

    // The user's key pair (docs/protocol.md, "Identity"), kept in a file by main() (see
    // Client::IdentityFile); the user_id is derived from it. A test that never sets one gets a
    // fresh key, in memory only, on first use.
    const Protocol::Identity::KeyPair &identityKey();
    void setIdentityKey(const Protocol::Identity::KeyPair &key) { m_key = key; }
    QString userId() { return identityKey().userId(); }
    // Where the key is kept (export and import write there); empty: nowhere (tests).
    QString identityPath() const { return m_identityPath; }
    void setIdentityPath(const QString &path) { m_identityPath = path; }
    QString nick() const;
    void setNick(const QString &nick);

    QList<RecentHub> recentHubs() const;
    // The hub verified as `trustKey` let us in at `url` now: it moves to the front (merged with
    // its entry by trust key, never by the id a hub claims; the url first among its addresses);
    // at most 12 hubs and 4 addresses each are kept.
    void rememberHub(const QString &trustKey, const QString &hubId, const QString &name,
                     const QUrl &url, qint64 seenMs);

    HostPreferences hostPreferences() const;
    void setHostPreferences(const HostPreferences &preferences);

    // The hubs the app was on when it last ran, in rail order: "host" for the hub it hosted,
    // else the hub's URL; and the one that was shown. Restored at the next start. A settings
    // file from before several hubs at once gives its one "last session" here.
    QStringList joinedHubs() const;
    void setJoinedHubs(const QStringList &hubs);
    QString currentHub() const;
    void setCurrentHub(const QString &hub);
    static QString hostedHubKey() { return QStringLiteral("host"); }

    // Rooms this user opened on a hub (by its trust key), reopened on the next connect.
    QStringList openTopics(const QString &trustKey) const;
    void setOpenTopics(const QString &trustKey, const QStringList &topics);

    // The certificate trusted for each hub (docs/protocol.md, "Encryption by default"): its
    // fingerprint (lowercase hex SHA-256) by the hub's "HOST:PORT". Trusted hubs are listed,
    // and can be forgotten, in the Trusted hubs dialog.
    QString pinnedFingerprint(const QString &hub) const;
    void setPinnedFingerprint(const QString &hub, const QString &fingerprint);
    void forgetPin(const QString &hub);
    QMap<QString, QString> pins() const;
    // Everything this client verified (docs/protocol.md, "No downgrade, no borrowed trust"): the
    // pins, the certificate each hub id was verified with, and the addresses the user chose to
    // reach without encryption.
    Client::TrustRecords trustRecords() const;
    // The hub `hubId` let us in over TLS with this certificate (a claim of another certificate
    // later never replaces it; the user's choice in the Trusted hubs dialog may).
    void setVerifiedHub(const QString &hubId, const QString &fingerprint);
    // The user chose, in a warning, to reach `address` without encryption: its pin goes.
    void allowPlain(const QString &address);
    // The plain ws:// hub `hubId` let us in at `address` (or the user chose to join it there):
    // remembered, so that a hub claiming its id elsewhere is told apart (4 addresses a hub).
    void notePlainHub(const QString &hubId, const QString &address);
    // A password kept by an older version under the hub's address (topic empty) or under its
    // hub id and a room: to be filed under the hub's trust key (a plain ws:// hub's, or one
    // verified by nothing: removed).
    struct SecretRename
    {
        QString oldHub; // the address, or the hub id
        QString topic; // empty: the hub password
        QString trustKey; // empty: removed
    };
    // The renames migrateToTrustKeys() and adoptLegacyHubData() found, taken once.
    QList<SecretRename> takeSecretRenames();
    // Settings of older versions filed by hub id, hub address or URL, moved once to trust keys:
    // a hub password by the certificate pinned at its own address; rooms and read places of a
    // remembered hub only if all its addresses were pinned with one certificate (older versions
    // merged hubs by the id they claimed). What cannot be told apart is left as it was.
    void migrateToTrustKeys();
    // The same for one hub whose trust key became known only now (the hub this app hosts): its
    // rooms and read places filed under its id, unless it has some under its key already.
    void adoptLegacyHubData(const QString &hubId, const QString &trustKey);

    // How far the user has read each room and dm of a hub (message ids), by its trust key.
    QHash<QString, qint64> readPositions(const QString &trustKey) const;
    void setReadPositions(const QString &trustKey, const QHash<QString, qint64> &positions);

    // What the user left unsent, by hub and room (Composer's draft keys: trust key, a space,
    // the topic); kept across restarts.
    QHash<QString, QString> drafts() const;
    void setDrafts(const QHash<QString, QString> &drafts);
    // Where the user was reading each room scrolled up (same keys as drafts): the message at the
    // top of the view and how far it was scrolled past (pixels). Rooms read at the bottom have
    // no entry.
    QHash<QString, std::pair<qint64, int>> scrollPositions() const;
    void setScrollPositions(const QHash<QString, std::pair<qint64, int>> &positions);
    // The user's own status (online/away/busy), kept across restarts; "online" by default.
    QString status() const;
    void setStatus(const QString &status);

    Preferences preferences() const;
    void setPreferences(const Preferences &preferences);

    QByteArray value(const QString &key) const; // window geometry, splitter states
    void setValue(const QString &key, const QByteArray &value);

    void sync() { m_settings.sync(); }
    QString fileName() const { return m_settings.fileName(); }

    // 1–32 characters after trimming, no control characters (the hub's nick rule); empty if ok.
    static QString nickError(const QString &nick);

private:
    void setRecentHubs(const QList<RecentHub> &hubs);

    QSettings m_settings;
    std::optional<Protocol::Identity::KeyPair> m_key;
    QString m_identityPath;
};

} // namespace Parley::Ui
