#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace Parley::Client {

// What one conversation owes the hub: our messages it has not confirmed, by client_id in the
// order they were written, each with its attempt number and whether a push is in flight; and
// edits and deletes made while not joined, in order. It decides, the Conversation pushes: no
// socket here. A message is sent again with the same client_id until the hub answers ok (the
// hub's dedup makes that at most one message) or refuses it (Failed).
class Outbox
{
public:
    // What a reply to a push of a message means.
    enum class Outcome {
        Confirmed, // ok: it is stored (whichever attempt was answered); it left the outbox
        Stale, // an answer to an older attempt, or to a message already confirmed: nothing
        Resend, // timeout: still ours, not in flight; push it again when joined
        Failed, // refused: it left the outbox; the message is shown as failed
    };

    // An edit or delete of a stored message, made while the conversation was not joined.
    struct Change
    {
        enum class Kind { Edit, Delete };
        Kind kind = Kind::Edit;
        qint64 id = 0;
        QString body; // the new body of an edit
        friend bool operator==(const Change &, const Change &) = default;
    };

    // A new message (or a failed one tried again), not in flight yet. False if it is already here.
    bool add(const QString &clientId, const QString &body);
    bool contains(const QString &clientId) const { return m_entries.contains(clientId); }
    QString body(const QString &clientId) const { return m_entries.value(clientId).body; }
    bool isInFlight(const QString &clientId) const { return m_entries.value(clientId).inFlight; }
    int size() const { return int(m_order.size()); }
    QStringList clientIds() const { return m_order; } // in the order written

    // The messages to push now (not in flight), in the order written.
    QStringList due() const;
    // A push of it starts: in flight, with a new attempt number (0 if it is not here).
    int beginAttempt(const QString &clientId);
    Outcome reply(const QString &clientId, int attempt, const QString &status);
    // Our message came back from the hub (a broadcast or a catch-up) before its reply.
    void confirm(const QString &clientId);
    // The channel was lost: replies to what is in flight can no longer come.
    void connectionLost();

    void queueChange(const Change &change);
    QList<Change> takeChanges(); // in the order made; the queue is empty after
    int pendingChanges() const { return int(m_changes.size()); }

private:
    struct Entry
    {
        QString body;
        int attempt = 0;
        bool inFlight = false;
    };
    void remove(const QString &clientId);

    QHash<QString, Entry> m_entries;
    QStringList m_order;
    QList<Change> m_changes;
};

} // namespace Parley::Client
