#pragma once

#include "client/backofftimer.h"
#include "protocol/identity.h"
#include "protocol/message.h"

#include <QAbstractSocket>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QSslCertificate>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <optional>

class QWebSocket;

namespace Parley::Client {

class HubInfoRequest;
class PhoenixChannel;

// Every interval of the client layer. The defaults are phoenix.js's; tests set short ones.
struct Timings
{
    int heartbeatIntervalMs = 30'000;
    int heartbeatTimeoutMs = 30'000;
    int pushTimeoutMs = 10'000; // default timeout of joins, pushes and leaves
    // Edits and deletes of one's own messages: made while disconnected, they wait this long
    // for the hub to come back instead of the push timeout (ChatSession).
    int offlineChangeTimeoutMs = 300'000;
    QList<int> reconnectSteps { 10, 50, 100, 150, 200, 250, 500, 1000, 2000 };
    int reconnectMaxMs = 5'000; // every try after the steps
    QList<int> rejoinSteps { 1000, 2000, 5000 };
    int rejoinMaxMs = 10'000;
    int busyRetryMs = 5'000; // retry interval after a hub_full refusal
    int closeGraceMs = 1'500; // an unanswered close handshake is aborted after this

    int reconnectAfterMs(int tries) const;
    int rejoinAfterMs(int tries) const;
};

// One connection to a Phoenix Channels v2 endpoint, behaving like phoenix.js's Socket: string
// refs from one counter, heartbeat, reconnect with backoff, a send buffer while offline, and the
// routing of incoming frames to its channels. Refusals (close 1008 unauthorized / bad_params /
// bad_vsn) stop reconnecting; hub_full retries every busyRetryMs.
// Owned by the caller (e.g. ChatSession); owns its channels; lives on one thread (usually GUI).
class PhoenixSocket : public QObject
{
    Q_OBJECT
public:
    enum class State { Connecting, Open, Closing, Closed };
    Q_ENUM(State)

    using Params = QMap<QString, QString>;
    using ParamsProvider = std::function<Params()>;

    // mountUrl is e.g. ws://127.0.0.1:4000/socket; "/websocket" is appended. params is evaluated
    // on every connect attempt.
    PhoenixSocket(const QUrl &mountUrl, ParamsProvider params, QObject *parent = nullptr);
    ~PhoenixSocket() override;

    // The exact phoenix.js schedules (tries starts at 1).
    static int reconnectAfterMs(int tries);
    static int rejoinAfterMs(int tries);
    // <mount>/websocket?<params, encodeURIComponent style>&vsn=<vsn>
    static QUrl endPointUrl(const QUrl &mountUrl, const Params &params,
                            const QString &vsn = QStringLiteral("2.0.0"));
    static QString encodeURIComponent(const QString &text);

    QUrl mountUrl() const { return m_mountUrl; }
    QUrl endPointUrl() const; // evaluates the params provider
    void setParamsProvider(ParamsProvider params) { m_params = std::move(params); }
    void setVsn(const QString &vsn) { m_vsn = vsn; }
    const Timings &timings() const { return m_timings; }
    void setTimings(const Timings &timings) { m_timings = timings; }
    // wss:// trusts exactly one certificate: the one with this fingerprint (lowercase hex SHA-256
    // of its DER; docs/protocol.md, "Encryption by default"), whoever signed it and whatever
    // host name it carries (hubs are reached by IP address). Any other certificate, or any
    // certificate while nothing is pinned, ends the attempt before a byte of the request (which
    // carries the signed connect and the hub password) is sent: certificateRejected() is
    // emitted and the socket waits for connect().
    void setPinnedFingerprint(const QString &fingerprint) { m_pinnedFingerprint = fingerprint; }
    QString pinnedFingerprint() const { return m_pinnedFingerprint; }
    // Signs every connect with this key (docs/protocol.md, "Identity"): user_id, key, ts and sig
    // are added to the params, bound to the hub this socket verified: over wss:// the pinned
    // fingerprint (the only certificate it lets through), over ws:// the hub id, which it asks
    // the hub for with GET /hub before its first connect (and again once when a hub that took it
    // before refuses it: set up anew, it has another id). A clock_skew
    // refusal corrects the ts by the hub's clock and retries at once, and so does a replayed
    // one, once each.
    void setIdentity(const Protocol::Identity::KeyPair &key) { m_identity = key; }
    // The hub id a ws:// connect is signed for (learned from GET /hub); empty before and for
    // wss://.
    QString boundHubId() const { return m_hubId; }
    // What connects are bound to (docs/protocol.md, "Identity"): "fp:" + the pin over wss://,
    // "hub:" + the hub id over ws://; empty while unknown.
    QString binding() const;
    // Over ws://, why the hub that GET /hub names may not be spoken to (docs/protocol.md, "No
    // downgrade, no borrowed trust"), or empty if it may. If not, nothing is sent: the socket is
    // refused with that reason and waits for connect().
    void setPlainHubCheck(std::function<QString(const QString &hubId)> check)
    {
        m_plainHubCheck = std::move(check);
    }
    // The transport error of the last failed attempt (SslHandshakeFailedError: a wss:// attempt
    // the peer did not answer with TLS, or with a certificate that was refused).
    QAbstractSocket::SocketError lastSocketError() const { return m_lastSocketError; }
    // What the hub's clock is ahead of ours, as learned from a clock_skew refusal (ms).
    qint64 clockOffsetMs() const { return m_clockOffsetMs; }

    // Opens the connection (no-op while connecting or open); also resumes after a refusal or a
    // disconnect() and cuts a pending reconnect short.
    using QObject::connect;
    void connect();
    // Closes with 1000 and stops reconnecting until connect(). Channels are not sent phx_leave.
    void disconnect();

    State state() const { return m_state; }
    bool isConnected() const { return m_state == State::Open; }
    // Milliseconds until the scheduled reconnect, or -1 if none is scheduled.
    int nextReconnectIn() const { return m_reconnectTimer.remainingTime(); }
    // The reason of the last refusal (close 1008), empty after a successful open.
    QString refusalReason() const { return m_refusalReason; }

    // A new ref: "1", "2", ... (phoenix.js makeRef).
    QString makeRef();

    // A channel for topic; params is evaluated on every (re)join. The socket owns it; it stops
    // being routed to once closed, and can then be deleted with deleteLater().
    PhoenixChannel *channel(const QString &topic, std::function<QJsonObject()> params = {});
    QList<PhoenixChannel *> channels() const;

    // Low level: sends a frame now if open, else buffers it until the next open. channel, if
    // given, lets a buffered frame be dropped if it went stale (§3.9).
    void push(const Protocol::Message &message, PhoenixChannel *channel = nullptr);

signals:
    void stateChanged(Parley::Client::PhoenixSocket::State state);
    void opened();
    void closed(int code, const QString &reason);
    void errorOccurred(const QString &message);
    void refused(const QString &reason);
    // The hub presented `presented`, not the pinned certificate (`pinned`; empty when nothing
    // was pinned yet). Emitted after closed(); no reconnect is scheduled.
    void certificateRejected(const QString &presented, const QString &pinned);
    void reconnectScheduled(int ms);
    // Every decoded incoming frame, after it was routed to the channels.
    void messageReceived(const Parley::Protocol::Message &message);

private:
    friend class PhoenixChannel;

    struct Buffered
    {
        Protocol::Message message;
        QPointer<PhoenixChannel> channel;
        bool hasChannel = false;
    };

    void transportConnect();
    // ws:// with an identity and no hub id yet: GET /hub first, then transportConnect().
    void askHubId();
    // An attempt that failed before a WebSocket was opened (GET /hub): as a failed connect.
    void failAttempt(const QString &error);
    // Refused here, before anything was sent: as a final refusal by the hub.
    void refuseLocally(const QString &reason);
    // A ws:// hub that took our connects refused one: if GET /hub names another hub now, sign
    // for it and connect again.
    void checkWhetherHubIdChanged();
    void teardown(quint16 code, const QString &reason);
    void armCloseFallback(QWebSocket *ws);
    void onConnOpen();
    void onConnClose(QWebSocket *ws);
    void onConnMessage(const QString &text);
    void onConnError(QWebSocket *ws);
    void onReconnectTimer();
    void flushSendBuffer();
    void sendNow(const Protocol::Message &message);
    void resetHeartbeat();
    void sendHeartbeat();
    void onHeartbeatTimeout();
    void triggerChanError(const QString &reason);
    void setState(State state);
    void scheduleReconnect();
    // Called by channels.
    void removeChannel(PhoenixChannel *channel);
    void leaveOpenTopic(const QString &topic, PhoenixChannel *except);

    QUrl m_mountUrl;
    ParamsProvider m_params;
    QString m_vsn = QStringLiteral("2.0.0");
    Timings m_timings;
    QString m_pinnedFingerprint;
    QString m_rejectedFingerprint; // presented by the hub in the attempt under way, not trusted
    std::optional<Protocol::Identity::KeyPair> m_identity;
    qint64 m_clockOffsetMs = 0;
    mutable qint64 m_lastSignedTs = 0; // the ts of the last signed connect
    bool m_retriedSignature = false; // a clock_skew or replayed refusal was retried already
    State m_state = State::Closed;
    QWebSocket *m_ws = nullptr; // child; the current transport
    HubInfoRequest *m_hubInfoRequest = nullptr; // child, while asking a ws:// hub for its id
    QString m_hubId; // what ws:// connects are signed for
    bool m_hubIdFresh = false; // m_hubId was asked for and no connect has been opened with it yet
    QPointer<HubInfoRequest> m_hubIdCheck; // child, after a refusal (checkWhetherHubIdChanged)
    std::function<QString(const QString &)> m_plainHubCheck;
    QAbstractSocket::SocketError m_lastSocketError = QAbstractSocket::UnknownSocketError;
    bool m_closeWasClean = true; // true: the close was asked for, do not reconnect
    bool m_connectAfterClose = false; // connect() was called while closing
    bool m_sawCloseFrame = false; // a close frame was sent or received on m_ws
    bool m_localClose = false; // we closed m_ws (disconnect, heartbeat timeout)
    QString m_refusalReason;
    quint64 m_ref = 0;
    QString m_pendingHeartbeatRef;
    QTimer m_heartbeatTimer;
    QTimer m_heartbeatTimeoutTimer;
    BackoffTimer m_reconnectTimer;
    QList<Buffered> m_sendBuffer;
    QList<QPointer<PhoenixChannel>> m_channels;
};

} // namespace Parley::Client
