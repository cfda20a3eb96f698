#pragma once

#include "protocol/hubinfo.h"

#include <QByteArray>
#include <QObject>
#include <QTimer>
#include <QUrl>

class QTcpSocket;

namespace Parley::Client {

// Asks the hub at a ws:// mount URL which hub it is, with GET /hub over plain HTTP on its port
// (docs/protocol.md, "Identity"), so that a plain ws:// connect can be signed for that hub's id.
// Only for ws://: over wss:// the certificate the client verified names the hub. One request;
// bounded in time (timeoutMs) and size (the answer is a few hundred bytes). Owned by its
// caller (PhoenixSocket); the caller's thread.
class HubInfoRequest : public QObject
{
    Q_OBJECT
public:
    HubInfoRequest(const QUrl &mountUrl, int timeoutMs, QObject *parent = nullptr);
    ~HubInfoRequest() override;

    void start();

signals:
    // Exactly one of the two, once.
    void answered(const Parley::Protocol::HubInfo &info);
    void failed(const QString &error);

private:
    void onReadyRead();
    void onDisconnected();
    void fail(const QString &error);
    void finishWith(const QByteArray &response);

    QUrl m_mountUrl;
    QTcpSocket *m_socket; // child
    QTimer m_timeout;
    QByteArray m_response;
    bool m_done = false;
};

} // namespace Parley::Client
