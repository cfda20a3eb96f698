#include "ui/appsettings.h"


namespace Parley::Ui {

namespace {
constexpr int maxRecentHubs = 8;
}

// The default format, so that QSettings::setDefaultFormat(IniFormat) + setPath() (tests,
// --settings-dir) really moves the file; normally it is the native one.
AppSettings::AppSettings()
    : m_settings(QSettings::defaultFormat(), QSettings::UserScope, QStringLiteral("Parley"),
                 QStringLiteral("parley"))
{
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
    const QStringList urls = m_settings.value(QStringLiteral("recent/urls")).toStringList();
    const QStringList names = m_settings.value(QStringLiteral("recent/names")).toStringList();
    for (qsizetype i = 0; i < urls.size(); ++i)
        hubs.append({ QUrl(urls.at(i)), names.value(i) });
    return hubs;
}

void AppSettings::addRecentHub(const RecentHub &hub)
{
    QList<RecentHub> hubs = recentHubs();
    hubs.removeIf([&](const RecentHub &known) { return known.url == hub.url; });
    hubs.prepend(hub);
    QStringList urls, names;
    for (const RecentHub &known : std::as_const(hubs).first(qMin(hubs.size(), maxRecentHubs))) {
        urls.append(known.url.toString());
        names.append(known.name);
    }
    m_settings.setValue(QStringLiteral("recent/urls"), urls);
    m_settings.setValue(QStringLiteral("recent/names"), names);
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

QStringList AppSettings::openTopics(const QString &hubId) const
{
    return m_settings.value(QStringLiteral("topics/") + hubId).toStringList();
}

void AppSettings::setOpenTopics(const QString &hubId, const QStringList &topics)
{
    if (!hubId.isEmpty())
        m_settings.setValue(QStringLiteral("topics/") + hubId, topics);
}

QString AppSettings::pinnedFingerprint(const QString &hub) const
{
    return pins().value(hub);
}

void AppSettings::setPinnedFingerprint(const QString &hub, const QString &fingerprint)
{
    QVariantMap stored = m_settings.value(QStringLiteral("trust/pins")).toMap();
    stored.insert(hub, fingerprint);
    m_settings.setValue(QStringLiteral("trust/pins"), stored);
}

void AppSettings::forgetPin(const QString &hub)
{
    QVariantMap stored = m_settings.value(QStringLiteral("trust/pins")).toMap();
    stored.remove(hub);
    m_settings.setValue(QStringLiteral("trust/pins"), stored);
}

QMap<QString, QString> AppSettings::pins() const
{
    QMap<QString, QString> pins;
    const QVariantMap stored = m_settings.value(QStringLiteral("trust/pins")).toMap();
    for (auto it = stored.cbegin(); it != stored.cend(); ++it)
        pins.insert(it.key(), it.value().toString());
    return pins;
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
