// AppSettings: what the user trusts (pins, hubs verified over TLS, hubs allowed without
// encryption) and the one-time move of older settings to trust keys (docs/protocol.md, "No
// downgrade, no borrowed trust").

#include "client/hubaddress.h"
#include "protocol/identity.h"
#include "ui/appsettings.h"

namespace Parley::Ui {

namespace {

const QString pinsKey = QStringLiteral("trust/pins");
const QString verifiedKey = QStringLiteral("trust/hubs");
const QString plainKey = QStringLiteral("trust/plain");
const QString plainHubsKey = QStringLiteral("trust/plainHubs");
constexpr int maxAddressesOfAPlainHub = 4;
const QString versionKey = QStringLiteral("trust/keysVersion");
const QString renamesKey = QStringLiteral("trust/secretRenames");
constexpr int trustKeysVersion = 2;

QMap<QString, QString> stringMap(const QVariant &value)
{
    QMap<QString, QString> map;
    const QVariantMap stored = value.toMap();
    for (auto it = stored.cbegin(); it != stored.cend(); ++it)
        map.insert(it.key(), it.value().toString());
    return map;
}

QVariantMap variantMap(const QMap<QString, QString> &map)
{
    QVariantMap stored;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        stored.insert(it.key(), it.value());
    return stored;
}

// "URL topic" (the keys of drafts and scroll places before trust keys) with the URL's trust key.
QVariantMap rekeyed(const QVariantMap &stored, const QMap<QString, QString> &keyOfUrl)
{
    QVariantMap out;
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        const qsizetype space = it.key().indexOf(QLatin1Char(' '));
        const QString key = space < 0 ? QString() : keyOfUrl.value(it.key().left(space));
        out.insert(key.isEmpty() ? it.key() : key + it.key().mid(space), it.value());
    }
    return out;
}

} // namespace

QString AppSettings::pinnedFingerprint(const QString &hub) const
{
    return pins().value(hub);
}

void AppSettings::setPinnedFingerprint(const QString &hub, const QString &fingerprint)
{
    // The user chose another certificate for this address: the old one verifies nothing more
    // (unless trusted elsewhere), so the hub may be verified anew with this one.
    if (const QString old = pinnedFingerprint(hub); !old.isEmpty() && old != fingerprint)
        forgetPin(hub);
    QMap<QString, QString> stored = pins();
    stored.insert(hub, fingerprint);
    m_settings.setValue(pinsKey, variantMap(stored));
    QStringList plain = m_settings.value(plainKey).toStringList();
    if (plain.removeAll(hub) > 0)
        m_settings.setValue(plainKey, plain);
}

void AppSettings::forgetPin(const QString &hub)
{
    QMap<QString, QString> stored = pins();
    const QString forgotten = stored.take(hub);
    m_settings.setValue(pinsKey, variantMap(stored));
    // A certificate trusted nowhere any more verifies no hub either: the next one shown for
    // that hub is asked about afresh, not held against this one.
    if (forgotten.isEmpty() || stored.values().contains(forgotten))
        return;
    QMap<QString, QString> verified = stringMap(m_settings.value(verifiedKey));
    verified.removeIf([&forgotten](const auto &it) { return it.value() == forgotten; });
    m_settings.setValue(verifiedKey, variantMap(verified));
}

QMap<QString, QString> AppSettings::pins() const
{
    return stringMap(m_settings.value(pinsKey));
}

Client::TrustRecords AppSettings::trustRecords() const
{
    Client::TrustRecords records;
    records.pins = pins();
    records.verifiedHubs = stringMap(m_settings.value(verifiedKey));
    const QStringList plain = m_settings.value(plainKey).toStringList();
    records.plainAllowed = QSet<QString>(plain.cbegin(), plain.cend());
    const QVariantMap plainHubs = m_settings.value(plainHubsKey).toMap();
    for (auto it = plainHubs.cbegin(); it != plainHubs.cend(); ++it) {
        const QStringList addresses = it.value().toStringList();
        records.plainHubs.insert(it.key(), QSet<QString>(addresses.cbegin(), addresses.cend()));
    }
    return records;
}

void AppSettings::setVerifiedHub(const QString &hubId, const QString &fingerprint)
{
    QMap<QString, QString> verified = stringMap(m_settings.value(verifiedKey));
    if (hubId.isEmpty() || fingerprint.isEmpty() || verified.value(hubId) == fingerprint)
        return;
    verified.insert(hubId, fingerprint);
    m_settings.setValue(verifiedKey, variantMap(verified));
}

void AppSettings::allowPlain(const QString &address)
{
    // The certificate goes for this address only: the hub it verified stays verified, so its id
    // is still refused over plain ws:// anywhere else, and still told apart from claims.
    QMap<QString, QString> stored = pins();
    stored.remove(address);
    m_settings.setValue(pinsKey, variantMap(stored));
    QStringList plain = m_settings.value(plainKey).toStringList();
    if (!plain.contains(address)) {
        plain.append(address);
        m_settings.setValue(plainKey, plain);
    }
}

void AppSettings::notePlainHub(const QString &hubId, const QString &address)
{
    QVariantMap plainHubs = m_settings.value(plainHubsKey).toMap();
    QStringList addresses = plainHubs.value(hubId).toStringList();
    if (hubId.isEmpty() || addresses.contains(address))
        return;
    addresses.prepend(address);
    plainHubs.insert(hubId, addresses.mid(0, maxAddressesOfAPlainHub));
    m_settings.setValue(plainHubsKey, plainHubs);
}

QList<AppSettings::SecretRename> AppSettings::takeSecretRenames()
{
    QList<SecretRename> renames;
    const QVariantList stored = m_settings.value(renamesKey).toList();
    for (const QVariant &value : stored) {
        const QStringList parts = value.toStringList();
        if (parts.size() == 3)
            renames.append({ parts.at(0), parts.at(1), parts.at(2) });
    }
    m_settings.remove(renamesKey);
    return renames;
}

void AppSettings::adoptLegacyHubData(const QString &hubId, const QString &trustKey)
{
    if (hubId.isEmpty() || trustKey.isEmpty() || hubId == trustKey)
        return;
    const QString oldTopics = QStringLiteral("topics/") + hubId;
    const QString oldRead = QStringLiteral("read/") + hubId;
    if (!m_settings.contains(oldTopics) && !m_settings.contains(oldRead))
        return;
    const QStringList topics = m_settings.value(oldTopics).toStringList();
    if (!m_settings.contains(QStringLiteral("topics/") + trustKey)
        && m_settings.contains(oldTopics))
        m_settings.setValue(QStringLiteral("topics/") + trustKey, topics);
    if (!m_settings.contains(QStringLiteral("read/") + trustKey) && m_settings.contains(oldRead))
        m_settings.setValue(QStringLiteral("read/") + trustKey, m_settings.value(oldRead));
    m_settings.remove(oldTopics);
    m_settings.remove(oldRead);
    QVariantList renames = m_settings.value(renamesKey).toList();
    for (const QString &topic : topics)
        renames.append(QStringList { hubId, topic, trustKey });
    m_settings.setValue(renamesKey, renames);
}

void AppSettings::migrateToTrustKeys()
{
    if (m_settings.value(versionKey).toInt() >= trustKeysVersion)
        return;
    const QMap<QString, QString> pinned = pins();
    QList<RecentHub> hubs = recentHubs();
    QMap<QString, QString> keyOfUrl; // for drafts and scroll places, filed by URL
    QVariantList renames = m_settings.value(renamesKey).toList();
    const auto rename
        = [&renames](const QString &oldHub, const QString &topic, const QString &key) {
              renames.append(QStringList { oldHub, topic, key });
          };
    for (RecentHub &hub : hubs) {
        if (!hub.trustKey.isEmpty())
            continue;
        // Older versions merged remembered hubs by the id a hub claimed: one entry may hold the
        // addresses of two hubs. Each address's own certificate is what it was verified with;
        // what was filed by hub id goes to a certificate only if all its addresses agree on one.
        QSet<QString> fingerprints;
        bool anyPlain = false;
        for (const QUrl &url : std::as_const(hub.urls)) {
            const QString address = Client::hubAddressText(url);
            const QString pin = pinned.value(address);
            if (url.scheme() != QLatin1String("wss") || pin.isEmpty()) {
                anyPlain = anyPlain || url.scheme() == QLatin1String("ws");
                rename(address, QString(), QString()); // a password kept for no verified hub
                continue;
            }
            const QString key = Protocol::Identity::fingerprintBinding(pin);
            fingerprints.insert(pin);
            keyOfUrl.insert(url.toString(), key);
            rename(address, QString(), key);
        }
        QString key;
        if (fingerprints.size() == 1 && !anyPlain)
            key = Protocol::Identity::fingerprintBinding(*fingerprints.cbegin());
        else if (fingerprints.isEmpty() && anyPlain && !hub.hubId.isEmpty())
            key = Protocol::Identity::hubIdBinding(hub.hubId);
        if (key.isEmpty())
            continue; // not one hub as far as anyone can tell: its rooms and read places stay
        hub.trustKey = key;
        for (const QUrl &url : std::as_const(hub.urls))
            keyOfUrl.insert(url.toString(), key);
        if (Client::isEncryptedKey(key))
            setVerifiedHub(hub.hubId, *fingerprints.cbegin());
        m_settings.setValue(renamesKey, renames);
        adoptLegacyHubData(hub.hubId, key);
        renames = m_settings.value(renamesKey).toList();
    }
    setRecentHubs(hubs);
    m_settings.setValue(renamesKey, renames);
    for (const QString &filedByUrl :
         { QStringLiteral("session/drafts"), QStringLiteral("session/scroll") }) {
        if (m_settings.contains(filedByUrl))
            m_settings.setValue(filedByUrl,
                                rekeyed(m_settings.value(filedByUrl).toMap(), keyOfUrl));
    }
    m_settings.setValue(versionKey, trustKeysVersion);
}

} // namespace Parley::Ui
