#pragma once

#include "client/chatmessage.h"

#include <QAbstractListModel>
#include <QList>
#include <QPointer>
#include <QSet>
#include <QString>

namespace Parley::Client {

class NickDirectory;

// The messages of one open topic, oldest first: confirmed messages (id > 0) sorted by id,
// followed by our own pending and failed messages in the order they were sent. Merging is
// idempotent: a message already held (same id, or for our own messages the same client_id) is
// updated in place, never shown twice. Every change is a precise insert, move or dataChanged —
// never a reset. Written only by ChatSession (which owns it); GUI thread.
class MessageModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Roles : int {
        IdRole = Qt::UserRole + 1, // qint64, 0 while pending
        UserIdRole, // QString
        NickRole, // QString
        BodyRole, // QString, plain text (never HTML)
        TimestampRole, // qint64 ms since the epoch
        EditedRole, // bool
        DeletedRole, // bool
        StateRole, // int of ChatMessage::State
        IsOwnRole, // bool: sent by this session's user
        ClientIdRole, // QString
        MessageRole, // QVariant::fromValue(ChatMessage)
        DisplayNameRole, // QString: the nick, with the user_id's tag when someone shares it
        FingerprintRole, // QString: the author's user_id fingerprint (Identity::fingerprint)
    };
    Q_ENUM(Roles)

    explicit MessageModel(const QString &topic, const QString &ownUserId,
                          QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString topic() const { return m_topic; }
    QString ownUserId() const { return m_ownUserId; }
    // Where DisplayNameRole learns which nicks are shared; its changes become dataChanged.
    void setNickDirectory(NickDirectory *directory);
    bool hasMore() const { return m_hasMore; } // older history exists on the hub
    void setHasMore(bool hasMore) { m_hasMore = hasMore; }

    // A window of rows, so that a room that never sleeps costs the same after a day as after
    // a minute: once a new message makes more than `limit` plus a quarter, the oldest rows are
    // dropped down to `limit` and hasMore() becomes true (they come back as history). Never
    // dropped: rows from keepFrom() on (the unread ones), or anything while paused (the view
    // is scrolled up, or shows the "new messages" line); past 20 × limit the oldest go anyway.
    // 0: no limit (the default).
    void setRowLimit(int limit) { m_rowLimit = limit; }
    int rowLimit() const { return m_rowLimit; }
    void setKeepFrom(qint64 id) { m_keepFrom = id; }
    qint64 keepFrom() const { return m_keepFrom; }
    void setTrimPaused(bool paused);

    ChatMessage messageAt(int row) const; // default message if out of range
    // The row's message without a copy, for views that read many rows per frame; row must be
    // in range.
    const ChatMessage &at(int row) const { return m_rows.at(row); }
    QString displayName(const ChatMessage &message) const; // as DisplayNameRole
    int rowOfId(qint64 id) const; // -1 if absent
    int rowOfClientId(const QString &clientId) const; // own messages only; -1 if absent
    qint64 newestId() const; // 0 if no confirmed message
    qint64 oldestId() const; // 0 if no confirmed message
    QList<ChatMessage> unconfirmed() const; // own Pending and Failed rows, in order

    // Writers (ChatSession).
    // Adds one of our own messages as Pending at the end (clientId must be set).
    void addPending(const ChatMessage &message);
    // Merges one confirmed message (broadcast, reply, join reply, history page). Returns true if
    // it was new (not held before under its id or, for own messages, its client_id).
    bool merge(const ChatMessage &message);
    // Merges a list oldest first; returns the number of new messages.
    int mergeAll(const QList<ChatMessage> &messages);
    // Merges an older page (history reply) and emits historyLoaded(count of new messages).
    int prependHistory(const QList<ChatMessage> &messages, bool hasMore);
    void markFailed(const QString &clientId);
    void markPending(const QString &clientId); // a failed message is being resent
    void removeUnconfirmed(const QString &clientId);
    // msg_edited: updates body/edited (and the rest) of a held message; false if not held.
    bool applyEdit(const ChatMessage &message);
    // msg_deleted: deleted = true, body emptied; false if not held.
    bool applyDelete(qint64 id);

signals:
    void historyLoaded(int count);

private:
    int confirmedCount() const; // rows before the first unconfirmed one
    int insertionRowForId(qint64 id) const;
    void replaceRow(int row, const ChatMessage &message);
    void insertRows(int row, const QList<ChatMessage> &messages);

    void onSharedNicksChanged(const QSet<QString> &foldedNicks);

    QString m_topic;
    QString m_ownUserId;
    QPointer<NickDirectory> m_nicks;
    void trim();

    QList<ChatMessage> m_rows;
    bool m_hasMore = false;
    int m_rowLimit = 0;
    qint64 m_keepFrom = 0;
    bool m_trimPaused = false;
};

} // namespace Parley::Client
