#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QUrl>

class QSslSocket;

namespace Parley::Testing {

// A WebSocket client written by hand over a QTcpSocket, for what QWebSocket will not send:
// invalid UTF-8 in a text frame, unmasked frames, reserved bits, bad opcodes. It does the
// upgrade, sends frames byte for byte as built, and parses the hub's (unmasked) frames far
// enough to record text messages and the close code and reason. Owned by the test, main thread.
class HandmadeWebSocket : public QObject
{
    Q_OBJECT
public:
    static constexpr int defaultTimeoutMs = 5000;

    explicit HandmadeWebSocket(QObject *parent = nullptr);
    ~HandmadeWebSocket() override;

    // A client frame: first byte = FIN|RSV|opcode as given, masked with a fixed key unless
    // `masked` is false. Lengths use the 7-, 16- or 64-bit form as RFC 6455 asks.
    static QByteArray clientFrame(quint8 finRsvOpcode, const QByteArray &payload,
                                  bool masked = true);

    // Connects to url (ws://host:port/path?query) and sends the upgrade request, with
    // "Host: host:port" unless setHostHeader() chose another (what a replayer would forge).
    void open(const QUrl &url);
    void setHostHeader(const QByteArray &host) { m_hostHeader = host; }
    // Connects from this local address (e.g. 127.0.0.2: another host on the LAN, as the hub's
    // per-address limits see it). Call before open().
    void setLocalAddress(const QHostAddress &address);
    // Sends one masked text frame.
    void sendText(const QByteArray &utf8);
    // Waits for a text message containing `needle` (at or after index `from`); its index, or -1.
    int waitForText(const QByteArray &needle, int from = 0, int timeoutMs = defaultTimeoutMs);
    // True once a "101" response arrived; false on another status, a close or the deadline.
    bool waitForUpgrade(int timeoutMs = defaultTimeoutMs);
    void sendRaw(const QByteArray &bytes);
    bool waitForClose(int timeoutMs = defaultTimeoutMs);
    // Waits for the TCP connection to end (after the close frame, the hub drops it).
    bool waitForDisconnected(int timeoutMs = defaultTimeoutMs);

    QByteArray responseHead() const { return m_responseHead; } // the HTTP response, if any
    bool isUpgraded() const { return m_upgraded; }
    bool hasCloseFrame() const { return m_closeCode >= 0; }
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    bool isDisconnected() const { return m_disconnected; }
    const QList<QByteArray> &textMessages() const { return m_texts; }

private:
    void onReadyRead();
    void parseFrames();

    QSslSocket *m_socket; // child
    QByteArray m_hostHeader;
    QByteArray m_buffer;
    QByteArray m_responseHead;
    bool m_upgraded = false;
    bool m_disconnected = false;
    int m_closeCode = -1;
    QString m_closeReason;
    QList<QByteArray> m_texts;
};

} // namespace Parley::Testing
