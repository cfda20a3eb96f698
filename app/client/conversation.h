#pragma once

#include "client/chatmessage.h"
#include "client/identity.h"
#include "client/outbox.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <memory>

namespace Parley::Client {

class MessageModel;
class NickDirectory;
class PhoenixChannel;
class PhoenixSocket;
class PresenceModel;
class PresenceSync;

// One open room or dm of a hub: its channel, presence sync, message and presence models, and
// the Outbox of what we sent that the hub has not confirmed yet. Its API is what a room view
// needs. Rejoins catch up with after_id (paging back with `history` when more than a page was
// missed), and unconfirmed messages are resent with the same client_id, so nothing is lost or
// doubled. Made and owned by its ChatSession, which counts unread messages from its signals;
// GUI thread.
class Conversation : public QObject
{
    Q_OBJECT
public:
    // The rows a conversation keeps around what is read (MessageModel::setRowLimit): a few
    // screens; older ones come back as history when scrolled to.
    static constexpr int rowLimit = 200;
    // Live messages from others reach the model in batches, at most this long after they
    // arrived: a burst is one layout and one paint of the view, not one per message.
    static constexpr int liveBatchMs = 50;

    // `password`: a locked room's, sent with every join.
    Conversation(const QString &topic, const QString &password, const Identity &identity,
                 NickDirectory *nicks, QObject *parent = nullptr);
    ~Conversation() override;

    QString topic() const { return m_topic; }
    QString password() const { return m_password; } // a locked room's, as given to open it
    bool isDm() const;
    MessageModel *messages() const { return m_messages; }
    PresenceModel *presence() const { return m_presence; }
    bool isJoined() const { return m_joined; } // the current join succeeded
    const Outbox &outbox() const { return m_outbox; }

    // What the user does in the room.
    void send(const QString &body);
    // Why the hub would refuse `body` as a message (empty, over 4,000 characters, control
    // characters), in words for the user; empty if it is fine.
    static QString bodyProblem(const QString &body);
    // Sends a Failed message again (same client_id); it is Pending until the reply.
    void retry(const QString &clientId);
    // Edits and deletes made while not joined wait in the outbox for the next join.
    void edit(qint64 id, const QString &body);
    void remove(qint64 id);
    void loadOlder(); // history before the oldest held message, 50 at most
    void setTyping(bool typing);

    // The session's side: join over this socket (again after a new connection); edits and
    // deletes wait up to changeTimeoutMs for their reply. leave() sends phx_leave and lets the
    // channel go.
    void join(PhoenixSocket *socket, int changeTimeoutMs);
    void leave();

signals:
    void opened(); // the first join succeeded
    void openFailed(const QString &reason); // a join was refused; the session closes us
    void joinedChanged(bool joined);
    // A new message from someone else (live or caught up after a reconnect, never history).
    void arrived(const Parley::Client::ChatMessage &message);
    void activity(qint64 ms); // the time of a message merged into the model
    void errorOccurred(const QString &text);

private:
    void flushLive(); // the live messages waiting, into the model now
    void onJoined(const QJsonObject &response);
    void onErrored();
    void onMessage(const QString &event, const QJsonObject &payload);
    void onIncoming(const ChatMessage &message, bool live);
    void catchUpPage(qint64 beforeId);
    void push(const QString &clientId);
    void flush();
    void onSendReply(const QString &clientId, int attempt, const QString &status,
                     const QJsonObject &response);
    void pushChange(const Outbox::Change &change);
    QJsonObject joinParams() const;

    QString m_topic;
    Identity m_identity;
    QString m_password;
    int m_changeTimeoutMs = -1;
    QPointer<PhoenixChannel> m_channel; // owned by the socket
    std::unique_ptr<PresenceSync> m_sync;
    MessageModel *m_messages; // child
    PresenceModel *m_presence; // child
    Outbox m_outbox;
    QList<ChatMessage> m_live; // arrived, not yet in the model
    QTimer m_liveTimer;
    bool m_joined = false;
    bool m_joinedOnce = false; // opened() was emitted
    bool m_loadingHistory = false;
    // While > 0, messages newer than this id may be missing: a catch-up that brought more than
    // one page is filling the gap from the newest end (see catchUpPage()).
    qint64 m_catchUpFloor = 0;
    bool m_typing = false; // we told the hub we are typing
    QElapsedTimer m_typingSent;
};

} // namespace Parley::Client
