#pragma once

#include <QAbstractListModel>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>

namespace Parley::Client {

class NickDirectory;
class PresenceSync;

// One row of PresenceModel: a user (presence key) folded from all of its metas.
struct PresenceEntry
{
    QString userId;
    QString nick; // of the most recent meta
    QString status; // online/away/busy, of the most recent meta (last in the list)
    int deviceCount = 0; // number of metas (connections)
    bool typing = false; // any meta typing
    qint64 onlineSinceMs = 0; // earliest online_at

    // A presence object {"metas": [...]}; deviceCount 0 if it has no metas.
    static PresenceEntry fromPresence(const QString &key, const QJsonObject &presence);
    friend bool operator==(const PresenceEntry &, const PresenceEntry &) = default;
};

// Who is on one topic (or, for hub:lobby, on the hub): one row per user, sorted by status
// (online, away, busy, then anything else) then nick (case-insensitive) then user id. Driven by
// a PresenceSync's joined/left/synced signals (bindTo) or by setPresence/removeUser; every change
// is a precise insert, remove, move or dataChanged — never a reset. Written only by ChatSession
// (which owns it); GUI thread.
class PresenceModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Roles : int {
        UserIdRole = Qt::UserRole + 1, // QString
        NickRole, // QString
        StatusRole, // QString online/away/busy
        DeviceCountRole, // int
        TypingRole, // bool
        OnlineSinceRole, // qint64 ms, earliest online_at
        IsSelfRole, // bool
        DisplayNameRole, // QString: the nick, with the user_id's tag when someone shares it
        FingerprintRole, // QString: the user_id's fingerprint (Identity::fingerprint)
        LastKnownRole, // bool: the connection is lost, this row is as it was (see offlineSince())
    };
    Q_ENUM(Roles)

    explicit PresenceModel(const QString &selfUserId, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Display names (see DisplayNameRole) of the other users typing, in row order (the own user
    // is left out).
    QStringList typingNicks() const;
    int rowOfUser(const QString &userId) const; // -1 if absent
    PresenceEntry entryAt(int row) const;
    QList<PresenceEntry> entries() const { return m_rows; }
    QString nickOf(const QString &userId) const; // empty if absent

    // Follows sync: keys touched by joined/left are applied from sync->state() on synced().
    // The first state seen (at once if sync has one, else at its first synced()) replaces the
    // rows entirely, so a model can move to a new PresenceSync of the same topic. Only one
    // sync at a time: binding another one unbinds the previous.
    void bindTo(PresenceSync *sync);

    // Writers. setPresence() with no metas removes the user.
    void setPresence(const QString &key, const QJsonObject &presence);
    void removeUser(const QString &userId);
    void clear(); // removes every row (one remove each)

    // What presence_summary said (docs/protocol.md 6, "bounded presence"): a topic with more users
    // than its limit lists only its most recently active ones, and counts them all. Until a summary
    // says otherwise (and after clear()), every user is listed.
    void applySummary(const QJsonObject &summary);
    bool isLimited() const { return m_limited; }
    int userCount() const { return m_limited ? m_summaryUsers : int(m_rows.size()); } // everyone

    // While the connection is lost the rows stay as last known, nobody is typing (a frozen
    // "typing…" would lie), and offlineSince() says since when (0: live). Set by the session.
    void setOfflineSince(qint64 msSinceEpoch);
    qint64 offlineSince() const { return m_offlineSince; }

    static int statusRank(const QString &status);
    // Where DisplayNameRole learns which nicks are shared; its changes become dataChanged.
    void setNickDirectory(NickDirectory *directory);

signals:
    void summaryChanged();
    void offlineChanged();

private:
    bool lessThan(const PresenceEntry &a, const PresenceEntry &b) const;
    int sortedRow(const PresenceEntry &entry, int skipRow) const;
    void applyFrom(PresenceSync *sync);

    void onSharedNicksChanged(const QSet<QString> &foldedNicks);

    QString m_selfUserId;
    QPointer<NickDirectory> m_nicks;
    QList<PresenceEntry> m_rows;
    QPointer<PresenceSync> m_sync;
    QSet<QString> m_dirty; // keys touched since the last synced()
    bool m_fullSyncPending = false; // the next applyFrom() also drops rows absent from the sync
    bool m_limited = false;
    int m_summaryUsers = 0;
    qint64 m_offlineSince = 0;
};

} // namespace Parley::Client
