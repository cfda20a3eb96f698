#pragma once

#include <QProcess>
#include <QString>
#include <QUrl>

namespace Parley::Testing {

// A real hub as its own process (the parley-hub program), for the tests of the desktop widgets,
// which must not link the hub library: on 127.0.0.1, in memory unless given a data directory,
// plain ws:// unless asked for TLS, no rate limit. Its URL (and certificate fingerprint) are
// read from the line it prints when it listens. Stopped with SIGTERM (clients get 1001) when
// destroyed, killed if it does not end; never outlives the test. Test thread only.
class HubProcess
{
public:
    struct Options
    {
        QString name = QStringLiteral("Test hub");
        quint16 port = 0; // 0: any free port
        bool tls = false; // wss:// with the hub's own certificate (kept in dataDir)
        QString dataDir; // empty: --ephemeral
        QString password;
        bool announce = false; // loopback discovery
        int lobbyPresenceLimit = 0; // 0: the hub's default
        int presenceListed = 0;
        QString passwordFile; // --password-file (instead of --password)
    };

    explicit HubProcess(Options options);
    HubProcess()
        : HubProcess(Options {})
    {
    }
    ~HubProcess();
    HubProcess(const HubProcess &) = delete;
    HubProcess &operator=(const HubProcess &) = delete;

    // Starts it and waits (up to 15 s, the event loop running) until it listens; false, with a
    // warning that quotes its error output, if it does not.
    bool start();
    // SIGTERM and wait for it to end (the event loop running, so clients here see their close).
    void stop();

    QUrl url() const { return m_url; } // ws(s)://127.0.0.1:PORT/socket
    quint16 port() const { return quint16(m_url.port()); }
    QString fingerprint() const { return m_fingerprint; } // empty for ws://
    QString hubId() const { return m_hubId; }
    qint64 processId() const { return m_process.processId(); }
    const Options &options() const { return m_options; }

private:
    Options m_options;
    QProcess m_process;
    QUrl m_url;
    QString m_fingerprint;
    QString m_hubId;
};

} // namespace Parley::Testing
