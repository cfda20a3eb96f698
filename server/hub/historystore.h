#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Parley::Hub {

// A stored chat message (room or dm); toJson() is the MESSAGE of docs/protocol.md.
struct StoredMessage
{
    qint64 id = 0;
    QString room; // room name, or the dm topic's "A:B" part for dms (see HistoryStore)
    QString userId;
    QString nick;
    QString body;
    qint64 ts = 0; // ms since epoch, hub clock
    QString clientId; // may be empty
    std::optional<qint64> editedTs;
    bool deleted = false;

    QJsonObject toJson() const;
    // The same MESSAGE as compact JSON, written directly: the per-message hot path (a reply and
    // a broadcast for every new_msg) skips building a QJsonObject.
    QByteArray toJsonBytes() const;
    friend bool operator==(const StoredMessage &, const StoredMessage &) = default;
};

struct RoomRecord
{
    QString name; // room name; dm conversations are stored as rooms named "dm:A:B"
    QString title;
    QByteArray passwordHash; // empty: no password. PBKDF2 output, never the password itself
    QByteArray passwordSalt;
    qint64 createdTs = 0;
    QString owner; // the user_id who created it; empty for general and rooms of older hubs

    bool isLocked() const { return !passwordHash.isEmpty(); }
};

struct NewMessage
{
    QString room;
    QString userId;
    QString nick;
    QString body;
    QString clientId; // empty: no idempotency
    qint64 ts = 0;
};

struct AppendResult
{
    StoredMessage message;
    bool duplicate = false; // (user_id, client_id) was already stored: message is the original
};

struct HistoryPage
{
    QList<StoredMessage> messages; // oldest first
    bool hasMore = false;
};

// Where rooms and messages live. The room channels talk to this interface only, so the storage
// can be memory (tests, issue 2) or SQLite (SqliteHistoryStore). An instance is used on one
// thread only (the hub reads on its thread; a StoreQueue writes on its own).
// Every call that can fail returns nullopt/false and sets *error; a failure is never an ok.
class HistoryStore
{
public:
    virtual ~HistoryStore() = default;

    virtual std::optional<QList<RoomRecord>> rooms(QString *error) = 0;
    virtual bool createRoom(const RoomRecord &room, QString *error) = 0;

    // Stores every message in one transaction (group commit), in order. Ids are positive,
    // strictly increasing, unique in the hub, continue after a restart. A message whose
    // (userId, clientId) was stored before is not stored again: its result is the original.
    virtual std::optional<QList<AppendResult>> append(const QList<NewMessage> &messages,
                                                      QString *error) = 0;

    // The newest `limit` messages of a room, oldest first; hasMore if older ones exist.
    virtual std::optional<HistoryPage> latest(const QString &room, int limit, QString *error) = 0;
    // Messages with id > afterId, oldest first, at most `limit`; hasMore if more exist.
    virtual std::optional<HistoryPage> after(const QString &room, qint64 afterId, int limit,
                                             QString *error) = 0;
    // Messages with id < beforeId, the newest `limit` of them, oldest first.
    virtual std::optional<HistoryPage> before(const QString &room, qint64 beforeId, int limit,
                                              QString *error) = 0;
    // nullopt with an empty *error: no such message.
    virtual std::optional<StoredMessage> message(qint64 id, QString *error) = 0;
    virtual std::optional<StoredMessage> edit(qint64 id, const QString &body, qint64 editedTs,
                                              QString *error) = 0;
    virtual std::optional<StoredMessage> markDeleted(qint64 id, qint64 ts, QString *error) = 0;
    // Newest message id of a room (0 if none).
    virtual qint64 lastId(const QString &room) = 0;
    // Newest message id of the hub (0 if none).
    virtual qint64 maxId() = 0;

    // Small key/value table for the hub's own identity ("hub_id", "name").
    virtual QString meta(const QString &key) = 0;
    virtual bool setMeta(const QString &key, const QString &value, QString *error) = 0;
};

} // namespace Parley::Hub
