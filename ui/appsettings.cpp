#include "ui/appsettings.h"

#include "protocol/events.h"
#include "protocol/privatefiles.h"
#include "ui/logging.h"

#include <QFileInfo>

namespace Parley::Ui {

namespace {
constexpr int maxRecentHubs = 12;
constexpr int maxAddressesPerHub = 4;
} // namespace

// The default format, so that QSettings::setDefaultFormat(IniFormat) + setPath() (tests,
// --settings-dir) really moves the file; normally it is the native one.
AppSettings::AppSettings()
    : m_settings(QSettings::defaultFormat(), QSettings::UserScope, QStringLiteral("Parley"),
                 QStringLiteral("parley"))
{
    // Pins, recent hubs and drafts are the user's alone: the file 0600 in a 0700 folder, before
    // anything is written (QSettings keeps the mode of the file it replaces), and narrowed if an
    // older version left them readable to everyone.
    const QString file = m_settings.fileName();
    QString error;
    if (!Protocol::PrivateFiles::ensureFolder(QFileInfo(file).absolutePath(), &error)
        || !Protocol::PrivateFiles::ensureFile(file, &error))
        qCWarning(lcUi).noquote() << "settings may be readable by others:" << error;
}

const Protocol::Identity::KeyPair &AppSettings::identityKey()
{
    if (!m_key)
        m_key = Protocol::Identity::KeyPair::generate();
    return *m_key;
}

QString AppSettings::nick() const
{
    return m_settings.value(QStringLiteral("identity/nick")).toString();
}

void AppSettings::setNick(const QString &nick)
{
    m_settings.setValue(QStringLiteral("identity/nick"), nick.trimmed());
}

QList<RecentHub> AppSettings::recentHubs() const
{
    QList<RecentHub> hubs;
    if (!m_settings.contains(QStringLiteral("recent/hubs"))) {
        // Kept before hubs had ids: one address and a name each.
        const QStringList urls = m_settings.value(QStringLiteral("recent/urls")).toStringList();
        const QStringList names = m_settings.value(QStringLiteral("recent/names")).toStringList();
        for (qsizetype i = 0; i < urls.size(); ++i)
            hubs.append({ {}, {}, names.value(i), { QUrl(urls.at(i)) }, 0 });
        return hubs;
    }
    const QVariantList stored = m_settings.value(QStringLiteral("recent/hubs")).toList();
    for (const QVariant &value : stored) {
        const QVariantMap map = value.toMap();
        RecentHub hub;
        hub.trustKey = map.value(QStringLiteral("key")).toString();
        hub.hubId = map.value(QStringLiteral("id")).toString();
        hub.name = map.value(QStringLiteral("name")).toString();
        const QStringList urls = map.value(QStringLiteral("urls")).toStringList();
        for (const QString &url : urls) {
            if (QUrl(url).isValid())
                hub.urls.append(QUrl(url));
        }
        hub.lastSeenMs = map.value(QStringLiteral("seen")).toLongLong();
        if (!hub.urls.isEmpty())
            hubs.append(hub);
    }
    return hubs;
}

void AppSettings::rememberHub(const QString &trustKey, const QString &hubId, const QString &name,
                              const QUrl &url, qint64 seenMs)
{
    QList<RecentHub> hubs = recentHubs();
    RecentHub hub { trustKey, hubId, name, { url }, seenMs };
    for (qsizetype i = 0; i < hubs.size(); ++i) {
        const RecentHub &known = hubs.at(i);
        // One entry per hub as verified: a hub that merely claims another's id is another hub.
        const bool same
            = !known.trustKey.isEmpty() ? known.trustKey == trustKey : known.urls.contains(url);
        if (!same)
            continue;
        for (const QUrl &other : known.urls) {
            if (other != url && hub.urls.size() < maxAddressesPerHub)
                hub.urls.append(other);
        }
        hubs.removeAt(i--);
    }
    hubs.prepend(hub);
    setRecentHubs(hubs);
}

void AppSettings::setRecentHubs(const QList<RecentHub> &hubs)
{
    QVariantList stored;
    for (const RecentHub &known : std::as_const(hubs).first(qMin(hubs.size(), maxRecentHubs))) {
        QStringList urls;
        for (const QUrl &known : known.urls)
            urls.append(known.toString());
        stored.append(QVariantMap { { QStringLiteral("key"), known.trustKey },
                                    { QStringLiteral("id"), known.hubId },
                                    { QStringLiteral("name"), known.name },
                                    { QStringLiteral("urls"), urls },
                                    { QStringLiteral("seen"), known.lastSeenMs } });
    }
    m_settings.setValue(QStringLiteral("recent/hubs"), stored);
    m_settings.remove(QStringLiteral("recent/urls"));
    m_settings.remove(QStringLiteral("recent/names"));
}

HostPreferences AppSettings::hostPreferences() const
{
    HostPreferences preferences;
    preferences.name = m_settings.value(QStringLiteral("host/name")).toString();
    preferences.port = quint16(m_settings.value(QStringLiteral("host/port"), 4000).toUInt());
    preferences.announce = m_settings.value(QStringLiteral("host/announce"), true).toBool();
    return preferences;
}

void AppSettings::setHostPreferences(const HostPreferences &preferences)
{
    m_settings.setValue(QStringLiteral("host/name"), preferences.name);
    m_settings.setValue(QStringLiteral("host/port"), preferences.port);
    m_settings.setValue(QStringLiteral("host/announce"), preferences.announce);
}

QStringList AppSettings::joinedHubs() const
{
    if (m_settings.contains(QStringLiteral("session/hubs")))
        return m_settings.value(QStringLiteral("session/hubs")).toStringList();
    const QString last = m_settings.value(QStringLiteral("session/last")).toString();
    return last.isEmpty() ? QStringList() : QStringList { last };
}

void AppSettings::setJoinedHubs(const QStringList &hubs)
{
    m_settings.setValue(QStringLiteral("session/hubs"), hubs);
    m_settings.remove(QStringLiteral("session/last"));
}

QString AppSettings::currentHub() const
{
    return m_settings.value(QStringLiteral("session/current")).toString();
}

void AppSettings::setCurrentHub(const QString &hub)
{
    m_settings.setValue(QStringLiteral("session/current"), hub);
}

QStringList AppSettings::openTopics(const QString &trustKey) const
{
    return m_settings.value(QStringLiteral("topics/") + trustKey).toStringList();
}

void AppSettings::setOpenTopics(const QString &trustKey, const QStringList &topics)
{
    if (!trustKey.isEmpty())
        m_settings.setValue(QStringLiteral("topics/") + trustKey, topics);
}

QHash<QString, qint64> AppSettings::readPositions(const QString &trustKey) const
{
    QHash<QString, qint64> positions;
    const QVariantMap stored = m_settings.value(QStringLiteral("read/") + trustKey).toMap();
    for (auto it = stored.cbegin(); it != stored.cend(); ++it)
        positions.insert(it.key(), it.value().toLongLong());
    return positions;
}

void AppSettings::setReadPositions(const QString &trustKey, const QHash<QString, qint64> &positions)
{
    if (trustKey.isEmpty())
        return;
    QVariantMap stored;
    for (auto it = positions.cbegin(); it != positions.cend(); ++it)
        stored.insert(it.key(), it.value());
    m_settings.setValue(QStringLiteral("read/") + trustKey, stored);
}

QHash<QString, std::pair<qint64, int>> AppSettings::scrollPositions() const
{
    QHash<QString, std::pair<qint64, int>> positions;
    const QVariantMap stored = m_settings.value(QStringLiteral("session/scroll")).toMap();
    for (auto it = stored.cbegin(); it != stored.cend(); ++it) {
        const QStringList parts = it.value().toString().split(QLatin1Char(' '));
        const qint64 id = parts.value(0).toLongLong();
        if (parts.size() == 2 && id > 0)
            positions.insert(it.key(), { id, parts.value(1).toInt() });
    }
    return positions;
}

void AppSettings::setScrollPositions(const QHash<QString, std::pair<qint64, int>> &positions)
{
    QVariantMap stored;
    for (auto it = positions.cbegin(); it != positions.cend(); ++it)
        stored.insert(it.key(), QStringLiteral("%1 %2").arg(it->first).arg(it->second));
    m_settings.setValue(QStringLiteral("session/scroll"), stored);
}

QHash<QString, QString> AppSettings::drafts() const
{
    QHash<QString, QString> drafts;
    const QVariantMap stored = m_settings.value(QStringLiteral("session/drafts")).toMap();
    for (auto it = stored.cbegin(); it != stored.cend(); ++it)
        drafts.insert(it.key(), it.value().toString());
    return drafts;
}

void AppSettings::setDrafts(const QHash<QString, QString> &drafts)
{
    QVariantMap stored;
    for (auto it = drafts.cbegin(); it != drafts.cend(); ++it)
        stored.insert(it.key(), it.value());
    if (stored.isEmpty())
        m_settings.remove(QStringLiteral("session/drafts"));
    else
        m_settings.setValue(QStringLiteral("session/drafts"), stored);
}

QString AppSettings::status() const
{
    const QString status = m_settings.value(QStringLiteral("identity/status")).toString();
    return status == Protocol::Status::Away || status == Protocol::Status::Busy
        ? status
        : QString(Protocol::Status::Online);
}

void AppSettings::setStatus(const QString &status)
{
    m_settings.setValue(QStringLiteral("identity/status"), status);
}

namespace {
const QStringList themeNames { QStringLiteral("system"), QStringLiteral("light"),
                               QStringLiteral("dark") };
const QStringList notifyNames { QStringLiteral("all"), QStringLiteral("direct-and-mentions"),
                                QStringLiteral("nothing") };
} // namespace

Preferences AppSettings::preferences() const
{
    Preferences preferences;
    const auto pick = [this](const QString &key, const QStringList &names) {
        return qMax(0, int(names.indexOf(m_settings.value(key).toString())));
    };
    preferences.theme = Preferences::Theme(pick(QStringLiteral("preferences/theme"), themeNames));
    preferences.notify
        = Preferences::Notify(pick(QStringLiteral("preferences/notify"), notifyNames));
    preferences.notificationText
        = m_settings.value(QStringLiteral("preferences/notificationText"), true).toBool();
    preferences.startMinimised
        = m_settings.value(QStringLiteral("preferences/startMinimised"), false).toBool();
    return preferences;
}

void AppSettings::setPreferences(const Preferences &preferences)
{
    m_settings.setValue(QStringLiteral("preferences/theme"), themeNames.at(int(preferences.theme)));
    m_settings.setValue(QStringLiteral("preferences/notify"),
                        notifyNames.at(int(preferences.notify)));
    m_settings.setValue(QStringLiteral("preferences/notificationText"),
                        preferences.notificationText);
    m_settings.setValue(QStringLiteral("preferences/startMinimised"), preferences.startMinimised);
}

QByteArray AppSettings::value(const QString &key) const
{
    return m_settings.value(QStringLiteral("window/") + key).toByteArray();
}

void AppSettings::setValue(const QString &key, const QByteArray &value)
{
    m_settings.setValue(QStringLiteral("window/") + key, value);
}

QString AppSettings::nickError(const QString &nick)
{
    const QString trimmed = nick.trimmed();
    if (trimmed.isEmpty())
        return QObject::tr("Please enter a nickname.");
    if (trimmed.size() > 32)
        return QObject::tr("A nickname has at most 32 characters.");
    for (const QChar c : trimmed) {
        if (c.category() == QChar::Other_Control)
            return QObject::tr("A nickname cannot contain control characters.");
    }
    return {};
}

} // namespace Parley::Ui
