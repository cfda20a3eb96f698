#pragma once

#include "protocol/message.h"

#include <QAbstractSocket>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <optional>

class QWebSocket;

namespace Parley::Testing {

// A Phoenix Channels v2 client with no logic of its own, for testing the hub on the wire: it
// sends exactly the frames a test writes and records every frame the hub sends (decoded and
// raw, with its arrival time) plus the close code and reason. The wait functions run an event
// loop until a condition holds or a deadline passes (like QSignalSpy::wait(), they wake on
// every recorded event); none of them sleeps a fixed time.
// Owned by the test, lives on the test's (main) thread.
class RawPhoenixClient : public QObject
{
    Q_OBJECT
public:
    using Message = Parley::Protocol::Message;
    using Predicate = std::function<bool(const Message &)>;
    static constexpr int defaultTimeoutMs = 5000;

    explicit RawPhoenixClient(QObject *parent = nullptr);
    ~RawPhoenixClient() override;

    // vsn=2.0.0, user_id and nick: the params every test connect starts from. `user` is a
    // TestKeys label ("ana") or a user_id TestKeys made; user_id is that key's.
    static QUrlQuery params(const QString &user, const QString &nick);
    // mountUrl ("ws://127.0.0.1:PORT/socket") + "/websocket?" + query. When the query has a
    // user_id of a TestKeys key and no sig yet, the connect is signed for the hub this process
    // started on the URL's port (TestKeys::hubBinding), now (key, ts, sig added), as a real
    // client does.
    static QUrl socketUrl(const QUrl &mountUrl, const QUrlQuery &query);

    void open(const QUrl &url);
    void open(const QUrl &mountUrl, const QUrlQuery &query) { open(socketUrl(mountUrl, query)); }
    // True once the WebSocket handshake completed (the hub may still refuse the params).
    bool waitForOpen(int timeoutMs = defaultTimeoutMs);
    // Opens and proves the hub accepted the connect params with a heartbeat round trip.
    bool openAccepted(const QUrl &mountUrl, const QString &user, const QString &nick,
                      int timeoutMs = defaultTimeoutMs);
    void close();

    bool isOpen() const;
    bool wasOpened() const { return m_opened; }
    bool isClosed() const { return m_closed; }
    int closeCode() const { return m_closeCode; }
    qint64 closedAtMs() const { return m_closedAtMs; } // on the elapsedMs() clock; -1 if open
    QString closeReason() const { return m_closeReason; }
    bool hadError() const { return m_errors > 0; }
    QAbstractSocket::SocketError lastError() const { return m_lastError; }

    // A fresh ref: "1", "2", ... (strings, as phoenix.js sends them).
    QString nextRef();
    void send(const QJsonValue &joinRef, const QJsonValue &ref, const QString &topic,
              const QString &event, const QJsonValue &payload);
    void sendText(const QString &text);
    void sendBinary(const QByteArray &bytes);
    // phx_join with a fresh join_ref (= ref), remembered for push(); returns the join_ref.
    QString join(const QString &topic, const QJsonValue &params = QJsonObject());
    // Joins and waits for the reply; nullopt on timeout.
    std::optional<Message> joinAndWait(const QString &topic,
                                       const QJsonValue &params = QJsonObject(),
                                       int timeoutMs = defaultTimeoutMs);
    QString leave(const QString &topic);
    // An event with the topic's current join_ref and a fresh ref; returns the ref.
    QString push(const QString &topic, const QString &event, const QJsonValue &payload);
    std::optional<Message> pushAndWait(const QString &topic, const QString &event,
                                       const QJsonValue &payload, int timeoutMs = defaultTimeoutMs);
    QString heartbeat();
    // A heartbeat round trip: everything the hub wrote to this connection before it read the
    // heartbeat has arrived when this returns true.
    bool roundTrip(int timeoutMs = defaultTimeoutMs);
    QJsonValue joinRefOf(const QString &topic) const { return m_joinRefs.value(topic); }

    std::optional<Message> waitForReply(const QJsonValue &ref, int timeoutMs = defaultTimeoutMs);
    // The first recorded frame at index >= from that matches, waiting for it if needed.
    std::optional<Message> waitForFrame(const Predicate &predicate,
                                        int timeoutMs = defaultTimeoutMs, qsizetype from = 0);
    bool waitForClose(int timeoutMs = defaultTimeoutMs);

    const QList<Message> &frames() const { return m_frames; }
    const QList<QByteArray> &rawFrames() const { return m_rawFrames; }
    // Milliseconds since this client was created, one per recorded frame.
    const QList<qint64> &arrivalMs() const { return m_arrivalMs; }
    qint64 elapsedMs() const { return m_clock.elapsed(); }
    QList<Message> framesMatching(const Predicate &predicate, qsizetype from = 0) const;
    qsizetype count(const Predicate &predicate, qsizetype from = 0) const;
    int undecodableFrames() const { return m_undecodable; }
    // The recorded frames, one per line, for failure messages.
    QString dump() const;

    // Predicates.
    static Predicate isReplyTo(const QJsonValue &ref);
    static Predicate isEvent(const QString &topic, const QString &event);

signals:
    // Something was recorded: a frame, the open, the close or an error. The waits wake on it.
    void changed();

private:
    void onText(const QString &text);
    // Runs an event loop until done() holds or the deadline passes; true if done() holds.
    bool waitUntil(const std::function<bool()> &done, int timeoutMs);

    QWebSocket *m_socket; // child
    QElapsedTimer m_clock;
    QList<Message> m_frames;
    QList<QByteArray> m_rawFrames;
    QList<qint64> m_arrivalMs;
    QHash<QString, QJsonValue> m_joinRefs;
    quint64 m_ref = 0;
    int m_undecodable = 0;
    bool m_opened = false;
    bool m_closed = false;
    int m_closeCode = -1;
    qint64 m_closedAtMs = -1;
    QString m_closeReason;
    int m_errors = 0;
    QAbstractSocket::SocketError m_lastError = QAbstractSocket::UnknownSocketError;
};

} // namespace Parley::Testing
