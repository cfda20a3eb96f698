#pragma once

#include "hub/hubrunner.h"
#include "hub/hubsettings.h"

#include <QList>
#include <QObject>
#include <QUrl>

#include <memory>

class QSslSocket;
class QWebSocket;

namespace Parley::Testing {

// A real hub for one test: HubRunner on 127.0.0.1, a free port, history in memory, discovery
// off. Settings start from settings() so a test changes only the limit it is about.
// Owned by the test, lives on the test's thread; the hub itself runs on its own thread.
class TestHub
{
public:
    static Hub::HubSettings settings();

    explicit TestHub(const Hub::HubSettings &settings = TestHub::settings());
    ~TestHub();

    // Starts the hub; false (and a warning with the reason) if it could not listen.
    bool start();
    void stop();
    Hub::HubRunner &runner() { return *m_runner; }
    QUrl url() const { return m_runner->url(); } // the mount URL, ws(s)://127.0.0.1:PORT/socket
    // Connections the hub holds right now (asked on the hub thread).
    int connectionCount() const;

    // A close the hub started (Hub::connectionClosing).
    struct Close
    {
        QString userId;
        quint16 code = 0;
        QString reason;
    };
    // Every close since start(), in order. They reach the test's thread through its event loop:
    // wait for them with QTRY_*.
    const QList<Close> &closes() const { return m_closes; }

private:
    std::unique_ptr<Hub::HubRunner> m_runner;
    QObject m_context; // receives the hub's signals on the test's thread
    QList<Close> m_closes;
};

// Makes a test client trust the TLS hubs TestHub started in this process (and nothing else): no
// authority, and the certificate errors of a hub whose fingerprint is one of theirs are ignored.
void trustTestHubs(QWebSocket *socket);
void trustTestHubs(QSslSocket *socket);

} // namespace Parley::Testing
