#pragma once

#include "client/chatmessage.h"
#include "client/identity.h"
#include "client/phoenixsocket.h"
#include "protocol/events.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>

namespace Parley::Client {

class Conversation;
class HubInfoRequest;
class NickDirectory;
class PhoenixChannel;
class PresenceModel;
class PresenceSync;
class RoomListModel;

// One connection to one hub, as the desktop client sees it: the socket, hub:lobby (hub info,
// room list, hub presence, status, new rooms, dms that arrive), unread counts, and a map of the
// open rooms and dms, one Conversation each (their channel, models and outbox). It is the only
// writer of its room list and hub presence. Owned by the app's Workspace (or a test); owns its
// socket, models and conversations; GUI thread.
class ChatSession : public QObject
{
    Q_OBJECT
public:
    enum class ConnectionState { Disconnected, Connecting, Connected, Reconnecting, Refused };
    Q_ENUM(ConnectionState)

    explicit ChatSession(const Identity &identity, QObject *parent = nullptr);
    ~ChatSession() override;

    // mountUrl is ws://host:port/socket. Replaces a previous connection and closes its topics;
    // topics opened while disconnected are joined once connected.
    void connectToHub(const QUrl &mountUrl, const QString &hubPassword = {});
    // The certificate a wss:// hub must present (its fingerprint, lowercase hex SHA-256), as
    // pinned by the user or learned from the hub's beacon; applied on connectToHub(). Any
    // other certificate: no connection, certificateRejected(), state Refused with the reason
    // "untrusted_certificate", until trustCertificate().
    void setPinnedFingerprint(const QString &fingerprint) { m_pinnedFingerprint = fingerprint; }
    QString pinnedFingerprint() const { return m_pinnedFingerprint; }
    // The user chose to trust this certificate: pinned, and connected again at once.
    void trustCertificate(const QString &fingerprint);
    // Over ws://: why the hub named by GET /hub may not be spoken to, empty if it may (see
    // PhoenixSocket::setPlainHubCheck); set before connectToHub(). Refused: state Refused with
    // that reason ("not_encrypted", "unverified_hub"), nothing sent. A wss:// hub that answers
    // without TLS (its TLS handshake fails and GET /hub over plain HTTP says it is not
    // encrypted) is refused with "not_encrypted" instead of being retried.
    void setPlainHubCheck(std::function<QString(const QString &hubId)> check)
    {
        m_plainHubCheck = std::move(check);
    }
    // What everything kept for this hub is filed under (Client::trustKeyOf(): "fp:" + its
    // certificate, or "hub:" + the id its ws:// connects are signed for); empty while unknown.
    QString trustKey() const;
    void disconnectFromHub();
    // Cuts a scheduled reconnect short (a "retry now" button); also retries after a refusal.
    void reconnectNow();
    // Client timings (heartbeat, reconnect, push timeout); set before connectToHub().
    void setTimings(const Timings &timings) { m_timings = timings; }

    ConnectionState connectionState() const { return m_state; }
    QString refusalReason() const { return m_refusalReason; }
    int reconnectInMs() const; // -1 if no reconnect is scheduled
    // Not connected once since connectToHub() and an attempt failed: the address may be wrong.
    bool neverReached() const { return !m_everOpened && m_attemptFailed; }
    // The transport's last error ("Connection refused", "Host not found"…), empty if none.
    QString lastError() const { return m_lastError; }
    // The reason of the hub's last close ("shutting_down": its host stopped it on purpose;
    // "idle_timeout"), empty after a connect.
    QString closeReason() const { return m_closeReason; }
    QUrl hubUrl() const { return m_mountUrl; }

    // Hub info after the lobby join.
    QString hubName() const { return m_hubName; }
    QString hubId() const { return m_hubId; }
    QString hubVersion() const { return m_hubVersion; }

    RoomListModel *rooms() const { return m_rooms.get(); }
    PresenceModel *hubPresence() const { return m_hubPresence.get(); }

    // Joins room:NAME or dm:A:B (a dm gets a row in rooms()). Calling it again for an open topic
    // does nothing; after topicOpenFailed it tries again (e.g. with the password).
    void openTopic(const QString &topic, const QString &password = {});
    void closeTopic(const QString &topic);
    QStringList openTopics() const;
    bool isOpen(const QString &topic) const { return m_conversations.contains(topic); }
    bool isJoined(const QString &topic) const; // the join reply arrived (and no error since)
    // The open room or dm: what a view of it works with. nullptr if not open.
    Conversation *conversation(const QString &topic) const;

    QString currentTopic() const { return m_currentTopic; }
    void setCurrentTopic(const QString &topic); // also marks it read (unread 0)

    // How far the user has read each topic (the newest message id seen while it was shown),
    // kept across restarts by the app. Set before the topics' first joins: a topic's first join
    // counts what came after as unread (mentions too).
    void setReadPositions(const QHash<QString, qint64> &positions) { m_readUpTo = positions; }
    QHash<QString, qint64> readPositions() const { return m_readUpTo; }
    qint64 readPosition(const QString &topic) const { return m_readUpTo.value(topic); }

    void setStatus(const QString &status); // online/away/busy
    QString status() const { return m_status; }

    void createRoom(const QString &name, const QString &title, const QString &password);

    QString dmTopicWith(const QString &otherUserId) const;
    // How to show a user: the nick, with a tag of the user_id when someone else on the hub
    // has the same nick ("Ana · 3f2b").
    QString displayName(const QString &userId, const QString &nick) const;
    Identity identity() const { return m_identity; }

signals:
    void connectionStateChanged(Parley::Client::ChatSession::ConnectionState state);
    void hubInfoChanged();
    void topicOpened(const QString &topic);
    void topicOpenFailed(const QString &topic, const QString &reason);
    void topicClosed(const QString &topic);
    void currentTopicChanged(const QString &topic);
    void roomCreated(const QString &name);
    // The hub's reason; for rate_limited, when another room may be made (ms), else -1.
    void roomCreateFailed(const QString &reason, int retryAfterMs);
    // Every new message from someone else (not history, not catch-up of already seen ones).
    void messageArrived(const QString &topic, const Parley::Client::ChatMessage &message);
    void errorOccurred(const QString &text);
    // The hub presented a certificate that is not the pinned one (`pinned` empty: nothing was
    // pinned for this hub yet). Nothing was sent to it.
    void certificateRejected(const QString &presented, const QString &pinned);

private:
    void teardownConnection();
    void setConnectionState(ConnectionState state);
    // Derives the state from the socket; `reasonChanged`: say it even if only the reason
    // (closeReason(), lastError()) changed.
    void updateConnectionState(bool reasonChanged = false);
    void applyConnectionState();
    void joinLobby();
    void onLobbyJoined(const QJsonObject &response);
    void onLobbyMessage(const QString &event, const QJsonObject &payload);
    void onDirectMessage(const QJsonObject &payload);
    void onArrived(Conversation *conversation, const ChatMessage &message);
    void countUnreadSinceLastVisit(Conversation *conversation);
    void markRead(const QString &topic);
    void detachSocket();
    void ensureDmRow(const QString &topic);
    void refreshDmTitles();
    QString otherUserOfDm(const QString &topic) const;

    // A wss:// attempt failed in its TLS handshake: is the hub there not encrypted at all?
    void checkWhetherPlain();

    Identity m_identity;
    Timings m_timings;
    std::function<QString(const QString &)> m_plainHubCheck;
    QPointer<HubInfoRequest> m_plainProbe; // child while asking
    bool m_probedPlain = false; // asked since the last open
    QUrl m_mountUrl;
    QString m_pinnedFingerprint;
    QString m_hubPassword;
    std::unique_ptr<PhoenixSocket> m_socket;
    std::unique_ptr<PhoenixSocket> m_deadSocket; // detached, deleted soon
    PhoenixChannel *m_lobby = nullptr; // owned by m_socket
    std::unique_ptr<PresenceSync> m_lobbySync;
    ConnectionState m_state = ConnectionState::Disconnected;
    QString m_refusalReason;
    QString m_lastError;
    QString m_closeReason;
    bool m_everOpened = false;
    bool m_attemptFailed = false; // a connect attempt failed: Reconnecting from now on
    QString m_hubName;
    QString m_hubId;
    QString m_hubVersion;
    QString m_status = Protocol::Status::Online;
    QString m_currentTopic;
    std::unique_ptr<RoomListModel> m_rooms;
    std::unique_ptr<PresenceModel> m_hubPresence;
    NickDirectory *m_nicks; // child
    QHash<QString, Conversation *> m_conversations; // children, by topic
    QHash<QString, qint64> m_readUpTo; // by topic
};

} // namespace Parley::Client
