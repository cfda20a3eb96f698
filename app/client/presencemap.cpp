#include "client/presencemap.h"

namespace Parley::Client {

PresenceMap PresenceMap::fromJson(const QJsonObject &object)
{
    PresenceMap map;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it)
        map.insert(it.key(), it.value().toObject());
    return map;
}

QJsonObject PresenceMap::toJson() const
{
    QJsonObject object;
    for (auto it = m_values.cbegin(); it != m_values.cend(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

bool PresenceMap::isArrayIndex(const QString &key)
{
    if (key.isEmpty() || key.size() > 10)
        return false;
    if (key.size() > 1 && key.at(0) == QLatin1Char('0'))
        return false;
    for (const QChar c : key) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    }
    return key.toULongLong() <= 4294967294ULL;
}

void PresenceMap::insert(const QString &key, const QJsonObject &presence)
{
    if (!m_values.contains(key)) {
        if (isArrayIndex(key))
            m_indexKeys.emplace(key.toUInt(), key);
        else
            m_stringKeys.append(key);
    }
    m_values.insert(key, presence);
}

void PresenceMap::remove(const QString &key)
{
    if (!m_values.remove(key))
        return;
    if (isArrayIndex(key))
        m_indexKeys.erase(key.toUInt());
    else
        m_stringKeys.removeOne(key);
}

QStringList PresenceMap::keys() const
{
    QStringList keys;
    keys.reserve(m_values.size());
    for (const auto &[index, key] : m_indexKeys)
        keys.append(key);
    keys.append(m_stringKeys);
    return keys;
}

} // namespace Parley::Client
