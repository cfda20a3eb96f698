#pragma once

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <map>

namespace Parley::Client {

// key → presence object ({"metas": [...], ...}) with JavaScript object key order, so that
// PresenceSync lists presences exactly as phoenix.js does: integer-like keys ("42") first in
// ascending numeric order, then the other keys in insertion order. Replacing an existing key
// keeps its place; a removed and re-added key goes to the end. A plain value type.
class PresenceMap
{
public:
    // Inserts the keys in the object's iteration order. QJsonObject sorts its keys, which is
    // also the order in which our hub (a Qt program) writes them on the wire.
    static PresenceMap fromJson(const QJsonObject &object);
    QJsonObject toJson() const;

    // True for the canonical decimal form of 0 .. 2^32-2 (a JavaScript array index).
    static bool isArrayIndex(const QString &key);

    bool contains(const QString &key) const { return m_values.contains(key); }
    QJsonObject value(const QString &key) const { return m_values.value(key); }
    void insert(const QString &key, const QJsonObject &presence);
    void remove(const QString &key);
    QStringList keys() const;
    qsizetype size() const { return m_values.size(); }
    bool isEmpty() const { return m_values.isEmpty(); }

    friend bool operator==(const PresenceMap &a, const PresenceMap &b)
    {
        return a.keys() == b.keys() && a.m_values == b.m_values;
    }
    friend bool operator!=(const PresenceMap &a, const PresenceMap &b) { return !(a == b); }

private:
    QHash<QString, QJsonObject> m_values;
    std::map<quint32, QString> m_indexKeys;
    QStringList m_stringKeys; // insertion order
};

} // namespace Parley::Client
