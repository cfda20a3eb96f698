#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>

namespace Parley::Client {

// Tells apart people who share a nick. Nicks are not unique (docs/protocol.md, "Identity"):
// wherever two users present on the hub share one (ignoring case and surrounding spaces), both
// are shown with a short tag of their user_id, "Ana · 3f2b". Fed with who is on the hub (the
// hub's presence); read by the session's models for their display names. Owned by ChatSession;
// GUI thread.
class NickDirectory : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // `userId` is on the hub with `nick` (again, or under a new nick).
    void set(const QString &userId, const QString &nick);
    void remove(const QString &userId);
    void clear();

    // True if two or more users present share this nick.
    bool isShared(const QString &nick) const;
    // "nick" or, for a shared nick, "nick · tag" (Identity::shortTag of the user_id).
    QString displayName(const QString &userId, const QString &nick) const;
    // The form nicks are compared in.
    static QString folded(const QString &nick) { return nick.trimmed().toCaseFolded(); }

signals:
    // These nicks (folded) became shared or stopped being shared: their display names changed.
    void sharedChanged(const QSet<QString> &foldedNicks);

private:
    void count(const QString &foldedNick, int delta, QSet<QString> *changed);

    QHash<QString, QString> m_nickOf; // user_id -> folded nick
    QHash<QString, int> m_users; // folded nick -> users present with it
};

} // namespace Parley::Client
