#include "client/phoenixsocket.h"

#include "client/hubinforequest.h"
#include "client/logging.h"
#include "client/phoenixchannel.h"
#include "protocol/codec.h"
#include "protocol/events.h"
#include "protocol/fingerprint.h"
#include "protocol/tlspolicy.h"

#include <QDateTime>
#include <QSslConfiguration>
#include <QSslError>
#include <QStringList>
#include <QWebSocket>

#include <algorithm>

namespace Parley::Client {

using namespace Protocol;

namespace {

int stepAfter(const QList<int> &steps, int maxMs, int tries)
{
    // phoenix.js: [steps][tries - 1] || max
    return tries >= 1 && tries <= steps.size() ? steps.at(tries - 1) : maxMs;
}

// Close reasons after which retrying cannot help until the user changes something.
bool isFinalRefusal(const QString &reason)
{
    return reason == Reason::Unauthorized || reason == Reason::BadParams
        || reason == Reason::BadVsn || reason.startsWith(Reason::ClockSkew)
        || reason == Reason::Replayed;
}

// Close reasons after which the hub may well take us a little later.
bool isBusyRefusal(const QString &reason)
{
    return reason == Reason::HubFull || reason == Reason::TooManyConnections
        || reason.startsWith(Reason::RateLimitedFor);
}

} // namespace

int Timings::reconnectAfterMs(int tries) const
{
    return stepAfter(reconnectSteps, reconnectMaxMs, tries);
}

int Timings::rejoinAfterMs(int tries) const
{
    return stepAfter(rejoinSteps, rejoinMaxMs, tries);
}

PhoenixSocket::PhoenixSocket(const QUrl &mountUrl, ParamsProvider params, QObject *parent)
    : QObject(parent)
    , m_mountUrl(mountUrl)
    , m_params(std::move(params))
    , m_reconnectTimer([this] { onReconnectTimer(); },
                       [this](int tries) { return m_timings.reconnectAfterMs(tries); })
{
    m_heartbeatTimer.setSingleShot(true);
    m_heartbeatTimeoutTimer.setSingleShot(true);
    QObject::connect(&m_heartbeatTimer, &QTimer::timeout, this, &PhoenixSocket::sendHeartbeat);
    QObject::connect(&m_heartbeatTimeoutTimer, &QTimer::timeout, this,
                     &PhoenixSocket::onHeartbeatTimeout);
}

PhoenixSocket::~PhoenixSocket()
{
    m_reconnectTimer.reset();
    if (m_ws)
        QObject::disconnect(m_ws, nullptr, this, nullptr); // ~QWebSocket sends its own close
    // Channels unregister themselves from m_channels, so delete them while it still exists.
    // That includes closed channels, which left m_channels but are still our children.
    const auto channels = m_channels;
    for (const QPointer<PhoenixChannel> &channel : channels)
        delete channel.data();
    qDeleteAll(findChildren<PhoenixChannel *>(Qt::FindDirectChildrenOnly));
}

int PhoenixSocket::reconnectAfterMs(int tries)
{
    return Timings().reconnectAfterMs(tries);
}

int PhoenixSocket::rejoinAfterMs(int tries)
{
    return Timings().rejoinAfterMs(tries);
}

QString PhoenixSocket::encodeURIComponent(const QString &text)
{
    // encodeURIComponent leaves A-Z a-z 0-9 - _ . ! ~ * ' ( ) alone and percent-encodes UTF-8.
    return QString::fromLatin1(text.toUtf8().toPercentEncoding("!'()*~"));
}

QUrl PhoenixSocket::endPointUrl(const QUrl &mountUrl, const Params &params, const QString &vsn)
{
    QUrl url = mountUrl;
    QString path = url.path(QUrl::FullyEncoded);
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + QLatin1String("/websocket"), QUrl::StrictMode);

    QStringList pairs;
    for (auto it = params.cbegin(); it != params.cend(); ++it)
        pairs << encodeURIComponent(it.key()) + QLatin1Char('=') + encodeURIComponent(it.value());
    pairs << QLatin1String("vsn=") + encodeURIComponent(vsn);
    QString query = url.query(QUrl::FullyEncoded);
    if (!query.isEmpty())
        query += QLatin1Char('&');
    url.setQuery(query + pairs.join(QLatin1Char('&')), QUrl::StrictMode);
    return url;
}

QUrl PhoenixSocket::endPointUrl() const
{
    Params params = m_params ? m_params() : Params();
    if (m_identity) {
        // A later ts than the last connect's: Ed25519 signatures are deterministic, so a retry
        // in the same millisecond would otherwise be the very same signed connect (replayed).
        m_lastSignedTs = std::max(QDateTime::currentMSecsSinceEpoch() + m_clockOffsetMs, m_lastSignedTs + 1);
        // Bound to the hub this socket verifies, never to an address: over wss:// the pinned
        // certificate is the only one the handshake lets through (without a pin nothing is
        // sent at all).
        params.insert(m_identity->connectParams(binding(), m_lastSignedTs));
    }
    return endPointUrl(m_mountUrl, params, m_vsn);
}

void PhoenixSocket::connect()
{
    m_closeWasClean = false;
    if (m_ws) {
        // Already connecting or open; while closing, reconnect as soon as the close is done.
        m_connectAfterClose = m_state == State::Closing;
        return;
    }
    if (m_hubInfoRequest)
        return; // asking a ws:// hub for its id: the connect follows
    m_reconnectTimer.cancel();
    // Asked by the user: a signature refusal may be retried once more (a hub set up anew with
    // another id is asked for it again, a wrong clock corrected).
    m_retriedSignature = false;
    transportConnect();
}

void PhoenixSocket::disconnect()
{
    m_closeWasClean = true;
    m_connectAfterClose = false;
    m_reconnectTimer.reset();
    if (m_hubInfoRequest) {
        delete std::exchange(m_hubInfoRequest, nullptr);
        setState(State::Closed);
    }
    delete m_hubIdCheck.data();
    teardown(1000, QString());
}

QString PhoenixSocket::makeRef()
{
    const quint64 next = m_ref + 1;
    m_ref = next == m_ref ? 0 : next;
    return QString::number(m_ref);
}

PhoenixChannel *PhoenixSocket::channel(const QString &topic, std::function<QJsonObject()> params)
{
    auto *channel = new PhoenixChannel(topic, std::move(params), this);
    m_channels.append(channel);
    return channel;
}

QList<PhoenixChannel *> PhoenixSocket::channels() const
{
    QList<PhoenixChannel *> result;
    for (const QPointer<PhoenixChannel> &channel : m_channels) {
        if (channel)
            result.append(channel);
    }
    return result;
}

void PhoenixSocket::push(const Message &message, PhoenixChannel *channel)
{
    if (isConnected() && m_ws)
        sendNow(message);
    else
        m_sendBuffer.append(Buffered { message, channel, channel != nullptr });
}

void PhoenixSocket::askHubId()
{
    setState(State::Connecting);
    m_hubInfoRequest = new HubInfoRequest(m_mountUrl, m_timings.pushTimeoutMs, this);
    QObject::connect(m_hubInfoRequest, &HubInfoRequest::answered, this,
                     [this](const Protocol::HubInfo &info) {
                         m_hubInfoRequest->deleteLater();
                         m_hubInfoRequest = nullptr;
                         if (const QString refusal
                             = m_plainHubCheck ? m_plainHubCheck(info.hubId) : QString();
                             !refusal.isEmpty()) {
                             qCInfo(lcClient)
                                 << "not speaking plain ws:// to hub" << info.hubId << refusal;
                             return refuseLocally(refusal);
                         }
                         m_hubId = info.hubId;
                         m_hubIdFresh = true;
                         transportConnect();
                     });
    QObject::connect(m_hubInfoRequest, &HubInfoRequest::failed, this, [this](const QString &error) {
        m_hubInfoRequest->deleteLater();
        m_hubInfoRequest = nullptr;
        failAttempt(error);
    });
    m_hubInfoRequest->start();
}

void PhoenixSocket::failAttempt(const QString &error)
{
    qCDebug(lcClient) << "attempt failed:" << error;
    QPointer<PhoenixSocket> guard(this);
    setState(State::Closed);
    if (guard)
        emit errorOccurred(error);
    if (guard)
        triggerChanError(QStringLiteral("connection_error"));
    if (guard)
        emit closed(1006, error);
    if (!guard || m_ws || m_hubInfoRequest || m_closeWasClean)
        return;
    emit reconnectScheduled(m_reconnectTimer.scheduleTimeout());
}

void PhoenixSocket::checkWhetherHubIdChanged()
{
    if (m_hubIdCheck)
        return;
    m_hubIdCheck = new HubInfoRequest(m_mountUrl, m_timings.pushTimeoutMs, this);
    QObject::connect(
        m_hubIdCheck, &HubInfoRequest::answered, this, [this](const Protocol::HubInfo &info) {
            m_hubIdCheck->deleteLater();
            // Still refused, and the hub there is another one now: sign for it.
            if (info.hubId == m_hubId || m_ws || m_hubInfoRequest
                || m_refusalReason != Reason::Unauthorized)
                return;
            if (const QString refusal = m_plainHubCheck ? m_plainHubCheck(info.hubId) : QString();
                !refusal.isEmpty())
                return refuseLocally(refusal);
            qCInfo(lcClient) << "the hub at" << m_mountUrl.toString()
                             << "is another hub now:" << info.hubId;
            m_hubId = info.hubId;
            m_hubIdFresh = true;
            m_refusalReason.clear();
            transportConnect();
        });
    QObject::connect(m_hubIdCheck, &HubInfoRequest::failed, this,
                     [this] { m_hubIdCheck->deleteLater(); });
    m_hubIdCheck->start();
}

void PhoenixSocket::refuseLocally(const QString &reason)
{
    m_refusalReason = reason;
    m_closeWasClean = true; // wait for connect()
    QPointer<PhoenixSocket> guard(this);
    setState(State::Closed);
    if (guard)
        emit refused(reason);
}

QString PhoenixSocket::binding() const
{
    if (m_mountUrl.scheme() == QLatin1String("wss"))
        return m_pinnedFingerprint.isEmpty()
            ? QString()
            : Protocol::Identity::fingerprintBinding(m_pinnedFingerprint);
    return m_hubId.isEmpty() ? QString() : Protocol::Identity::hubIdBinding(m_hubId);
}

void PhoenixSocket::transportConnect()
{
    m_closeWasClean = false;
    m_connectAfterClose = false;
    m_sawCloseFrame = false;
    m_localClose = false;
    if (m_identity && m_hubId.isEmpty() && m_mountUrl.scheme() == QLatin1String("ws"))
        return askHubId();
    const QUrl url = endPointUrl();
    qCDebug(lcClient) << "connecting to" << url.toString(QUrl::RemoveQuery);

    auto *ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_ws = ws;
    QObject::connect(ws, &QWebSocket::connected, this, [this, ws] {
        if (ws == m_ws)
            onConnOpen();
    });
    QObject::connect(ws, &QWebSocket::aboutToClose, this, [this, ws] {
        if (ws == m_ws)
            m_sawCloseFrame = true;
    });
    QObject::connect(ws, &QWebSocket::disconnected, this, [this, ws] { onConnClose(ws); });
    QObject::connect(ws, &QWebSocket::textMessageReceived, this, [this, ws](const QString &text) {
        if (ws == m_ws)
            onConnMessage(text);
    });
    QObject::connect(ws, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
                     [this, ws] { onConnError(ws); });
    m_rejectedFingerprint.clear();
    if (url.scheme() == QLatin1String("wss")) {
        // No authority is trusted, so every certificate raises sslErrors and meets the pin.
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates({});
        Protocol::TlsPolicy::apply(&tls);
        ws->setSslConfiguration(tls);
        QObject::connect(ws, &QWebSocket::sslErrors, this, [this, ws](const QList<QSslError> &errors) {
            QSslCertificate presented = ws->sslConfiguration().peerCertificate();
            if (presented.isNull() && !errors.isEmpty())
                presented = errors.first().certificate();
            const QString fingerprint = presented.isNull() ? QString() : Protocol::Fingerprint::of(presented.toDer());
            if (!m_pinnedFingerprint.isEmpty() && fingerprint == m_pinnedFingerprint) {
                ws->ignoreSslErrors();
                return;
            }
            qCInfo(lcClient) << "untrusted certificate" << fingerprint << "pinned" << m_pinnedFingerprint;
            if (ws == m_ws)
                m_rejectedFingerprint = fingerprint.isEmpty() ? QStringLiteral("?") : fingerprint;
        });
    }
    setState(State::Connecting);
    ws->open(url);
}

void PhoenixSocket::teardown(quint16 code, const QString &reason)
{
    if (!m_ws)
        return;
    QWebSocket *ws = m_ws;
    m_localClose = true;
    setState(State::Closing);
    armCloseFallback(ws);
    ws->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
}

void PhoenixSocket::armCloseFallback(QWebSocket *ws)
{
    // A peer that never completes the close must not keep us in Closing.
    QTimer::singleShot(m_timings.closeGraceMs, ws, [this, ws] {
        ws->abort();
        if (ws == m_ws)
            onConnClose(ws);
    });
}

void PhoenixSocket::onConnOpen()
{
    qCDebug(lcClient) << "connected to" << m_mountUrl.toString();
    m_closeWasClean = false;
    m_refusalReason.clear();
    m_hubIdFresh = false; // the hub took it: a later refusal of it may mean a hub set up anew
    m_lastSocketError = QAbstractSocket::UnknownSocketError;
    // Open before anything else runs, so that the buffer goes out first and in order.
    m_state = State::Open;
    flushSendBuffer();
    m_reconnectTimer.reset();
    resetHeartbeat();
    emit stateChanged(m_state);
    emit opened();
}

void PhoenixSocket::onConnClose(QWebSocket *ws)
{
    if (ws != m_ws) {
        ws->deleteLater();
        return;
    }
    int code = ws->closeCode();
    QString reason = ws->closeReason();
    if (!m_sawCloseFrame) {
        code = 1006; // abnormal closure: no close frame was exchanged
        reason = ws->errorString();
    }
    const bool serverClosed = !m_localClose;
    m_ws = nullptr;
    ws->deleteLater();
    qCDebug(lcClient) << "closed" << code << reason;
    m_heartbeatTimer.stop();
    m_heartbeatTimeoutTimer.stop();
    m_pendingHeartbeatRef.clear();

    QString refusal;
    const QString rejectedCertificate = std::exchange(m_rejectedFingerprint, {});
    if (!rejectedCertificate.isEmpty())
        m_closeWasClean = true; // the user decides: no reconnect until connect()
    const bool signatureTooOld = reason.startsWith(Reason::ClockSkew) || reason == Reason::Replayed;
    // A ws:// hub that let us in before and now refuses: a wrong hub password, most likely, so
    // refused as usual; but it may have been set up anew with another id (a hub without a data
    // directory makes one per run), so it is asked which hub it is. Only another id is signed
    // for again: a hub password is never guessed twice on our own.
    const bool hubIdMayHaveChanged = serverClosed && code == CloseCode::Policy
        && reason == Reason::Unauthorized && !m_hubId.isEmpty() && !m_hubIdFresh
        && !m_retriedSignature;
    if (hubIdMayHaveChanged)
        m_retriedSignature = true;
    if (serverClosed && code == CloseCode::Policy && signatureTooOld && m_identity
        && !m_retriedSignature) {
        // Our clock is off (the hub says by how much), or the signed URL was seen before:
        // sign again, with the hub's time, at once. Once: a second refusal is final.
        m_retriedSignature = true;
        bool ok = false;
        const qint64 hubNow = reason.mid(Reason::ClockSkew.size()).toLongLong(&ok);
        if (reason.startsWith(Reason::ClockSkew) && ok)
            m_clockOffsetMs = hubNow - QDateTime::currentMSecsSinceEpoch();
        qCInfo(lcClient) << "signing again after" << reason << "clock offset" << m_clockOffsetMs << "ms";
        m_connectAfterClose = true;
    } else if (serverClosed && code == CloseCode::Policy
               && (isFinalRefusal(reason) || isBusyRefusal(reason))) {
        refusal = reason;
        m_refusalReason = reason;
        if (isFinalRefusal(reason))
            m_closeWasClean = true; // wait for connect()
    }

    // Closed before anyone reacts, so that the channels see the socket down (no rejoin timer).
    QPointer<PhoenixSocket> guard(this);
    setState(State::Closed);
    if (guard)
        triggerChanError(QStringLiteral("connection_closed"));
    if (guard)
        emit closed(code, reason);
    if (guard && !refusal.isEmpty()) {
        qCInfo(lcClient) << "connection refused:" << refusal;
        emit refused(refusal);
    }
    if (guard && !rejectedCertificate.isEmpty())
        emit certificateRejected(rejectedCertificate, m_pinnedFingerprint);
    if (!guard || m_ws) // gone, or a slot connected again already
        return;
    if (hubIdMayHaveChanged)
        checkWhetherHubIdChanged();

    if (m_connectAfterClose) {
        transportConnect();
    } else if (!m_closeWasClean) {
        if (isBusyRefusal(refusal)) {
            // The hub says when (rate_limited:MS: too many password guesses from here), or it
            // is full (for everyone, or for this address): come back then, not in a loop.
            const int waitMs = refusal.startsWith(Reason::RateLimitedFor)
                ? std::clamp(refusal.mid(Reason::RateLimitedFor.size()).toInt(), 100, 60'000)
                : m_timings.busyRetryMs;
            m_reconnectTimer.scheduleIn(waitMs);
            emit reconnectScheduled(waitMs);
        } else {
            emit reconnectScheduled(m_reconnectTimer.scheduleTimeout());
        }
    }
}

void PhoenixSocket::onReconnectTimer()
{
    if (!m_ws && !m_hubInfoRequest)
        transportConnect();
}

void PhoenixSocket::onConnMessage(const QString &text)
{
    DecodeError error;
    const std::optional<Message> message = decode(text.toUtf8(), &error);
    if (message)
        m_retriedSignature = false; // the hub took this connect: a later refusal may retry again
    if (!message) {
        qCWarning(lcClient) << "dropping undecodable frame:" << error.detail;
        return;
    }
    const QString ref = message->ref.toString();
    if (!ref.isEmpty() && ref == m_pendingHeartbeatRef) {
        m_heartbeatTimeoutTimer.stop();
        m_pendingHeartbeatRef.clear();
        m_heartbeatTimer.start(m_timings.heartbeatIntervalMs);
    }

    QPointer<PhoenixSocket> guard(this);
    const auto channels = m_channels;
    for (const QPointer<PhoenixChannel> &channel : channels) {
        if (!guard)
            return;
        if (channel && channel->isMember(message->topic, message->joinRef))
            channel->trigger(*message);
    }
    if (guard)
        emit messageReceived(*message);
}

void PhoenixSocket::onConnError(QWebSocket *ws)
{
    const QString message = ws->errorString();
    if (ws == m_ws)
        m_lastSocketError = ws->error();
    qCDebug(lcClient) << "transport error:" << message;
    // An error on the open transport is fatal (the close follows): stop sending on it now.
    if (ws == m_ws && m_state == State::Open) {
        setState(State::Closing);
        armCloseFallback(ws);
    }
    QPointer<PhoenixSocket> guard(this);
    emit errorOccurred(message);
    if (!guard)
        return;
    triggerChanError(QStringLiteral("connection_error"));
    // An open() that failed at once (bad URL) emits no disconnected().
    if (ws == m_ws && ws->state() == QAbstractSocket::UnconnectedState
        && m_state == State::Connecting)
        onConnClose(ws);
}

void PhoenixSocket::flushSendBuffer()
{
    const QList<Buffered> buffer = std::exchange(m_sendBuffer, {});
    for (const Buffered &entry : buffer) {
        // Skip what went stale while offline; leaves always go out (§3.8, §3.9).
        if (entry.hasChannel && entry.message.event != Event::Leave) {
            const PhoenixChannel *channel = entry.channel.data();
            if (!channel || channel->isClosed()
                || channel->joinRef() != entry.message.joinRef.toString()) {
                qCDebug(lcClient) << "dropping stale buffered" << entry.message.event << "for"
                                  << entry.message.topic;
                continue;
            }
        }
        sendNow(entry.message);
    }
}

void PhoenixSocket::sendNow(const Message &message)
{
    m_ws->sendTextMessage(QString::fromUtf8(encode(message)));
}

void PhoenixSocket::resetHeartbeat()
{
    m_pendingHeartbeatRef.clear();
    m_heartbeatTimeoutTimer.stop();
    m_heartbeatTimer.start(m_timings.heartbeatIntervalMs);
}

void PhoenixSocket::sendHeartbeat()
{
    if (!isConnected())
        return;
    m_pendingHeartbeatRef = makeRef();
    push(Message { QJsonValue::Null, m_pendingHeartbeatRef, HeartbeatTopic, Event::Heartbeat,
                   QJsonObject() });
    m_heartbeatTimeoutTimer.start(m_timings.heartbeatTimeoutMs);
}

void PhoenixSocket::onHeartbeatTimeout()
{
    if (m_pendingHeartbeatRef.isEmpty())
        return;
    m_pendingHeartbeatRef.clear();
    qCInfo(lcClient) << "heartbeat timeout, re-establishing the connection";
    triggerChanError(QStringLiteral("heartbeat_timeout"));
    m_closeWasClean = false;
    teardown(1000, QStringLiteral("heartbeat timeout"));
}

void PhoenixSocket::triggerChanError(const QString &reason)
{
    const auto channels = m_channels;
    for (const QPointer<PhoenixChannel> &channel : channels) {
        if (channel && !(channel->isErrored() || channel->isLeaving() || channel->isClosed()))
            channel->onError(reason);
    }
}

void PhoenixSocket::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void PhoenixSocket::removeChannel(PhoenixChannel *channel)
{
    m_channels.removeIf(
        [channel](const QPointer<PhoenixChannel> &c) { return !c || c.data() == channel; });
}

void PhoenixSocket::leaveOpenTopic(const QString &topic, PhoenixChannel *except)
{
    const auto channels = m_channels;
    for (const QPointer<PhoenixChannel> &channel : channels) {
        if (channel && channel != except && channel->topic() == topic
            && (channel->isJoined() || channel->isJoining())) {
            qCDebug(lcClient) << "leaving duplicate topic" << topic;
            channel->leave();
        }
    }
}

} // namespace Parley::Client
