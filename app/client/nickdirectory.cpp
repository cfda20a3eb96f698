#include "client/nickdirectory.h"

#include "protocol/identity.h"

namespace Parley::Client {

void NickDirectory::set(const QString &userId, const QString &nick)
{
    const QString key = folded(nick);
    const auto it = m_nickOf.constFind(userId);
    if (it != m_nickOf.cend() && *it == key)
        return;
    QSet<QString> changed;
    if (it != m_nickOf.cend())
        count(*it, -1, &changed);
    m_nickOf.insert(userId, key);
    count(key, +1, &changed);
    if (!changed.isEmpty())
        emit sharedChanged(changed);
}

void NickDirectory::remove(const QString &userId)
{
    const auto it = m_nickOf.constFind(userId);
    if (it == m_nickOf.cend())
        return;
    QSet<QString> changed;
    count(*it, -1, &changed);
    m_nickOf.erase(it);
    if (!changed.isEmpty())
        emit sharedChanged(changed);
}

void NickDirectory::clear()
{
    QSet<QString> changed;
    for (auto it = m_users.cbegin(); it != m_users.cend(); ++it) {
        if (*it >= 2)
            changed.insert(it.key());
    }
    m_nickOf.clear();
    m_users.clear();
    if (!changed.isEmpty())
        emit sharedChanged(changed);
}

bool NickDirectory::isShared(const QString &nick) const
{
    return m_users.value(folded(nick)) >= 2;
}

QString NickDirectory::displayName(const QString &userId, const QString &nick) const
{
    if (!isShared(nick))
        return nick;
    const QString tag = Protocol::Identity::shortTag(userId);
    return tag.isEmpty() ? nick : nick + QStringLiteral(" · ") + tag;
}

void NickDirectory::count(const QString &foldedNick, int delta, QSet<QString> *changed)
{
    int &users = m_users[foldedNick];
    const bool wasShared = users >= 2;
    users += delta;
    if ((users >= 2) != wasShared)
        changed->insert(foldedNick);
    if (users <= 0)
        m_users.remove(foldedNick);
}

} // namespace Parley::Client
