#include "client/outbox.h"

namespace Parley::Client {

bool Outbox::add(const QString &clientId, const QString &body)
{
    if (clientId.isEmpty() || m_entries.contains(clientId))
        return false;
    m_entries.insert(clientId, Entry { body });
    m_order.append(clientId);
    return true;
}

QStringList Outbox::due() const
{
    QStringList due;
    for (const QString &clientId : m_order) {
        if (!m_entries.value(clientId).inFlight)
            due.append(clientId);
    }
    return due;
}

int Outbox::beginAttempt(const QString &clientId)
{
    const auto it = m_entries.find(clientId);
    if (it == m_entries.end())
        return 0;
    it->inFlight = true;
    return ++it->attempt;
}

Outbox::Outcome Outbox::reply(const QString &clientId, int attempt, const QString &status)
{
    if (status == QLatin1String("ok")) {
        // An ok is authoritative whichever attempt it answers.
        const bool had = m_entries.contains(clientId);
        remove(clientId);
        return had ? Outcome::Confirmed : Outcome::Stale;
    }
    const auto it = m_entries.find(clientId);
    if (it == m_entries.end() || it->attempt != attempt)
        return Outcome::Stale; // confirmed meanwhile, or an answer to an older attempt
    if (status == QLatin1String("timeout")) {
        // No answer: it may or may not be stored; the same client_id makes a resend safe.
        it->inFlight = false;
        return Outcome::Resend;
    }
    remove(clientId);
    return Outcome::Failed;
}

void Outbox::confirm(const QString &clientId)
{
    remove(clientId);
}

void Outbox::connectionLost()
{
    for (Entry &entry : m_entries)
        entry.inFlight = false;
}

void Outbox::queueChange(const Change &change)
{
    m_changes.append(change);
}

QList<Outbox::Change> Outbox::takeChanges()
{
    return std::exchange(m_changes, {});
}

void Outbox::remove(const QString &clientId)
{
    if (m_entries.remove(clientId))
        m_order.removeOne(clientId);
}

} // namespace Parley::Client
