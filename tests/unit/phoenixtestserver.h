// Shared by tst_phoenixsocket and tst_phoenixchannel: a scripted Phoenix server on 127.0.0.1 that
// records every frame, the socket params the tests connect with, and a push reply collector.
#pragma once

#include "client/phoenixchannel.h"
#include "client/phoenixsocket.h"
#include "protocol/codec.h"
#include "protocol/events.h"
#include "protocol/hubinfo.h"
#include "pushreplies.h"

#include <QHash>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>
#include <optional>

using namespace Parley::Client;
using Parley::Protocol::Message;

struct Frame
{
    int connection = -1;
    Message message;
    QString joinRef() const { return message.joinRef.toString(); }
    QString ref() const { return message.ref.toString(); }
};

// A WebSocket server on 127.0.0.1 that speaks just enough of the hub's protocol: it answers
// GET /hub (so that signed ws:// connects know what to sign for), heartbeats, joins (per topic:
// ok, error or silence) and leaves, records every frame, and can refuse connections with 1008
// the way the hub does.
class ScriptedServer : public QObject
{
    Q_OBJECT
public:
    enum class Join { Ok, Error, Ignore };

    ScriptedServer()
        : m_server(QStringLiteral("scripted"), QWebSocketServer::NonSecureMode)
    {
        QVERIFY(m_listener.listen(QHostAddress::LocalHost, 0));
        connect(&m_listener, &QTcpServer::newConnection, this, &ScriptedServer::onTcpConnection);
        connect(&m_server, &QWebSocketServer::newConnection, this,
                &ScriptedServer::onNewConnection);
    }

    QUrl mountUrl() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/socket").arg(m_listener.serverPort()));
    }

    QList<Frame> frames(const QString &event, const QString &topic = {}) const
    {
        QList<Frame> result;
        for (const Frame &frame : received) {
            if (frame.message.event == event && (topic.isEmpty() || frame.message.topic == topic))
                result.append(frame);
        }
        return result;
    }

    void send(const Message &message, int connection = -1)
    {
        QWebSocket *ws = connections.value(connection < 0 ? connections.size() - 1 : connection);
        QVERIFY(ws);
        ws->sendTextMessage(QString::fromUtf8(Parley::Protocol::encode(message)));
    }

    void reply(const Frame &to, const QString &status, const QJsonObject &response = {})
    {
        send(Parley::Protocol::makeReply(to.message.joinRef, to.message.ref, to.message.topic,
                                         status, response),
             to.connection);
    }

    void closeAll(quint16 code, const QString &reason)
    {
        for (QWebSocket *ws : std::as_const(connections)) {
            if (ws->state() == QAbstractSocket::ConnectedState)
                ws->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
        }
    }

    QList<Frame> received;
    QList<QWebSocket *> connections;
    QList<QUrl> requestUrls;
    QList<int> clientCloseCodes;
    QStringList clientCloseReasons;
    bool replyHeartbeats = true;
    QHash<QString, Join> joins; // topic → policy, default Ok
    QHash<QString, QJsonObject> joinErrors; // topic → error response
    std::function<QString(const QUrl &)> refuse; // non-empty reason: close 1008 with it
    QString hubId = QStringLiteral("scripted-hub"); // what GET /hub says
    bool answerHubInfo = true; // false: GET /hub gets a 404, as from a server that is no hub
    int hubInfoRequests = 0;

signals:
    void frameReceived(const Frame &frame);

private:
    void onTcpConnection()
    {
        while (QTcpSocket *socket = m_listener.nextPendingConnection()) {
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
                const QByteArray head = socket->peek(4096);
                if (!head.contains("\r\n\r\n"))
                    return;
                socket->disconnect(this);
                if (!head.startsWith("GET /hub ")) {
                    m_server.handleConnection(socket);
                    return;
                }
                ++hubInfoRequests;
                if (!answerHubInfo) {
                    socket->write(
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    socket->disconnectFromHost();
                    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                    return;
                }
                const QByteArray body
                    = Parley::Protocol::HubInfo { hubId, QStringLiteral("Scripted"), {} }.toJson();
                socket->write(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
                socket->disconnectFromHost();
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            });
        }
    }

    void onNewConnection()
    {
        while (QWebSocket *ws = m_server.nextPendingConnection()) {
            ws->setParent(this);
            const int index = connections.size();
            connections.append(ws);
            requestUrls.append(ws->requestUrl());
            connect(ws, &QWebSocket::textMessageReceived, this,
                    [this, index](const QString &text) { onText(index, text); });
            connect(ws, &QWebSocket::disconnected, this, [this, ws] {
                clientCloseCodes.append(ws->closeCode());
                clientCloseReasons.append(ws->closeReason());
            });
            const QString reason = refuse ? refuse(ws->requestUrl()) : QString();
            if (!reason.isEmpty())
                ws->close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
        }
    }

    void onText(int connection, const QString &text)
    {
        const std::optional<Message> message = Parley::Protocol::decode(text.toUtf8());
        QVERIFY(message);
        const Frame frame { connection, *message };
        received.append(frame);
        using namespace Parley::Protocol;
        if (message->event == Event::Heartbeat && replyHeartbeats) {
            reply(frame, QStringLiteral("ok"));
        } else if (message->event == Event::Join) {
            const Join policy = joins.value(message->topic, Join::Ok);
            if (policy == Join::Ok)
                reply(frame, QStringLiteral("ok"), QJsonObject { { "joined", message->topic } });
            else if (policy == Join::Error)
                reply(frame, QStringLiteral("error"), joinErrors.value(message->topic));
        } else if (message->event == Event::Leave) {
            reply(frame, QStringLiteral("ok"));
        }
        emit frameReceived(frame);
    }

    QTcpServer m_listener; // ours: GET /hub here, upgrades handed to m_server
    QWebSocketServer m_server; // never listens: handleConnection() only
};

inline PhoenixSocket::Params userParams(const QString &userId = QStringLiteral("user-0001"))
{
    return { { QStringLiteral("user_id"), userId },
             { QStringLiteral("nick"), QStringLiteral("ana") } };
}

using Replies = Parley::Testing::PushReplies;
