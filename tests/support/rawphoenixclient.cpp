#include "rawphoenixclient.h"
#include "testhub.h"

#include "testkeys.h"

#include "protocol/codec.h"
#include "protocol/events.h"
#include "protocol/identity.h"

#include <QDateTime>
#include <QEventLoop>
#include <QJsonDocument>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <atomic>

namespace Parley::Testing {

using namespace Parley::Protocol;

RawPhoenixClient::RawPhoenixClient(QObject *parent)
    : QObject(parent)
    , m_socket(new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this))
{
    m_clock.start();
    // The hub's frames may be large (history); never let the client refuse them.
    m_socket->setMaxAllowedIncomingMessageSize(16 * 1024 * 1024);
    trustTestHubs(m_socket); // for wss:// hubs (the _tls suites)
    connect(m_socket, &QWebSocket::connected, this, [this] {
        m_opened = true;
        emit changed();
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        m_closeCode = int(m_socket->closeCode());
        m_closeReason = m_socket->closeReason();
        m_closedAtMs = m_clock.elapsed();
        m_closed = true;
        emit changed();
    });
    // Qt 6.4 calls it error(); errorOccurred() came in 6.5.
    connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this](QAbstractSocket::SocketError error) {
                ++m_errors;
                m_lastError = error;
                emit changed();
            });
    connect(m_socket, &QWebSocket::textMessageReceived, this, &RawPhoenixClient::onText);
}

RawPhoenixClient::~RawPhoenixClient()
{
    m_socket->abort();
}

QUrlQuery RawPhoenixClient::params(const QString &user, const QString &nick)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("user_id"), TestKeys::of(user).userId());
    query.addQueryItem(QStringLiteral("nick"), nick);
    query.addQueryItem(QStringLiteral("vsn"), QStringLiteral("2.0.0"));
    return query;
}

QUrl RawPhoenixClient::socketUrl(const QUrl &mountUrl, const QUrlQuery &query)
{
    QUrl url = mountUrl;
    url.setPath(mountUrl.path() + QStringLiteral("/websocket"));
    QUrlQuery signedQuery = query;
    const QString userId = query.queryItemValue(QStringLiteral("user_id"));
    if (const Identity::KeyPair *key = TestKeys::findByUserId(userId);
        key && !query.hasQueryItem(QStringLiteral("sig"))) {
        // Each connect of this process signs a later ts than the one before: two connects of
        // one user within a millisecond would otherwise be the same signed connect (replayed).
        static std::atomic<qint64> lastTs { 0 };
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        qint64 last = lastTs.load();
        while (!lastTs.compare_exchange_weak(last, std::max(now, last + 1)))
            ;
        const qint64 ts = std::max(now, last + 1);
        const QMap<QString, QString> signature
            = key->connectParams(TestKeys::hubBinding(quint16(url.port())), ts);
        for (auto it = signature.cbegin(); it != signature.cend(); ++it) {
            if (it.key() != QLatin1String("user_id"))
                signedQuery.addQueryItem(it.key(), it.value());
        }
    }
    url.setQuery(signedQuery);
    return url;
}

void RawPhoenixClient::open(const QUrl &url)
{
    m_socket->open(url);
}

bool RawPhoenixClient::waitForOpen(int timeoutMs)
{
    return waitUntil([this] { return m_opened || m_closed; }, timeoutMs) && m_opened;
}

bool RawPhoenixClient::openAccepted(const QUrl &mountUrl, const QString &user,
                                    const QString &nick, int timeoutMs)
{
    open(mountUrl, params(user, nick));
    return waitForOpen(timeoutMs) && roundTrip(timeoutMs);
}

void RawPhoenixClient::close()
{
    m_socket->close();
}

bool RawPhoenixClient::isOpen() const
{
    return m_opened && !m_closed && m_socket->state() == QAbstractSocket::ConnectedState;
}

QString RawPhoenixClient::nextRef()
{
    return QString::number(++m_ref);
}

void RawPhoenixClient::send(const QJsonValue &joinRef, const QJsonValue &ref, const QString &topic,
                            const QString &event, const QJsonValue &payload)
{
    sendText(QString::fromUtf8(encode(Message { joinRef, ref, topic, event, payload })));
}

void RawPhoenixClient::sendText(const QString &text)
{
    m_socket->sendTextMessage(text);
}

void RawPhoenixClient::sendBinary(const QByteArray &bytes)
{
    m_socket->sendBinaryMessage(bytes);
}

QString RawPhoenixClient::join(const QString &topic, const QJsonValue &params)
{
    const QString joinRef = nextRef();
    m_joinRefs.insert(topic, joinRef);
    send(joinRef, joinRef, topic, Event::Join, params);
    return joinRef;
}

std::optional<RawPhoenixClient::Message>
RawPhoenixClient::joinAndWait(const QString &topic, const QJsonValue &params, int timeoutMs)
{
    return waitForReply(join(topic, params), timeoutMs);
}

QString RawPhoenixClient::leave(const QString &topic)
{
    return push(topic, Event::Leave, QJsonObject());
}

QString RawPhoenixClient::push(const QString &topic, const QString &event,
                               const QJsonValue &payload)
{
    const QString ref = nextRef();
    send(m_joinRefs.value(topic, QJsonValue::Null), ref, topic, event, payload);
    return ref;
}

std::optional<RawPhoenixClient::Message> RawPhoenixClient::pushAndWait(const QString &topic,
                                                                       const QString &event,
                                                                       const QJsonValue &payload,
                                                                       int timeoutMs)
{
    return waitForReply(push(topic, event, payload), timeoutMs);
}

QString RawPhoenixClient::heartbeat()
{
    const QString ref = nextRef();
    send(QJsonValue::Null, ref, HeartbeatTopic, Event::Heartbeat, QJsonObject());
    return ref;
}

bool RawPhoenixClient::roundTrip(int timeoutMs)
{
    const std::optional<Message> reply = waitForReply(heartbeat(), timeoutMs);
    return reply && reply->replyStatus() == QLatin1String("ok");
}

std::optional<RawPhoenixClient::Message> RawPhoenixClient::waitForReply(const QJsonValue &ref,
                                                                        int timeoutMs)
{
    return waitForFrame(isReplyTo(ref), timeoutMs);
}

std::optional<RawPhoenixClient::Message>
RawPhoenixClient::waitForFrame(const Predicate &predicate, int timeoutMs, qsizetype from)
{
    qsizetype next = from;
    std::optional<Message> found;
    const auto scan = [&] {
        for (; next < m_frames.size() && !found; ++next) {
            if (predicate(m_frames.at(next)))
                found = m_frames.at(next);
        }
        // Once closed nothing more can come: stop waiting.
        return found.has_value() || m_closed;
    };
    waitUntil(scan, timeoutMs);
    return found;
}

bool RawPhoenixClient::waitForClose(int timeoutMs)
{
    return waitUntil([this] { return m_closed; }, timeoutMs);
}

bool RawPhoenixClient::waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    if (timeoutMs <= 0)
        return false;
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(this, &RawPhoenixClient::changed, &loop, [&loop, &done] {
        if (done())
            loop.quit();
    });
    deadline.start(timeoutMs);
    loop.exec();
    return done();
}

QList<RawPhoenixClient::Message> RawPhoenixClient::framesMatching(const Predicate &predicate,
                                                                  qsizetype from) const
{
    QList<Message> matching;
    for (qsizetype i = from; i < m_frames.size(); ++i) {
        if (predicate(m_frames.at(i)))
            matching.append(m_frames.at(i));
    }
    return matching;
}

qsizetype RawPhoenixClient::count(const Predicate &predicate, qsizetype from) const
{
    return framesMatching(predicate, from).size();
}

QString RawPhoenixClient::dump() const
{
    QString text = QStringLiteral("%1 frame(s) received").arg(m_rawFrames.size());
    for (qsizetype i = 0; i < m_rawFrames.size(); ++i)
        text += QStringLiteral("\n  +%1 ms %2")
                    .arg(m_arrivalMs.at(i))
                    .arg(QString::fromUtf8(m_rawFrames.at(i).left(300)));
    if (m_closed)
        text += QStringLiteral("\n  closed %1 \"%2\"").arg(m_closeCode).arg(m_closeReason);
    return text;
}

RawPhoenixClient::Predicate RawPhoenixClient::isReplyTo(const QJsonValue &ref)
{
    return [ref](const Message &message) { return message.isReply() && message.ref == ref; };
}

RawPhoenixClient::Predicate RawPhoenixClient::isEvent(const QString &topic, const QString &event)
{
    return [topic, event](const Message &message) {
        return message.topic == topic && message.event == event;
    };
}

void RawPhoenixClient::onText(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    const std::optional<Message> message = decode(utf8);
    if (!message) {
        ++m_undecodable;
        emit changed();
        return;
    }
    m_frames.append(*message);
    m_rawFrames.append(utf8);
    m_arrivalMs.append(m_clock.elapsed());
    emit changed();
}

} // namespace Parley::Testing
