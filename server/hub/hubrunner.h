#pragma once

#include "hub/hubsettings.h"

#include <QObject>
#include <QUrl>

#include <memory>

class QThread;

namespace Parley::Hub {

class Hub;

// Runs a Hub on its own thread (epoll event dispatcher, never GLib's). This is the small API the
// desktop app uses for an embedded hub and the tests use for a real hub on 127.0.0.1 port 0.
// Owned by the caller, lives on the caller's thread.
class HubRunner : public QObject
{
    Q_OBJECT
public:
    explicit HubRunner(HubSettings settings, QObject *parent = nullptr);
    ~HubRunner() override; // stop()s

    // Starts the thread and blocks until the hub listens (true) or failed (false, *error set).
    bool start(QString *error = nullptr);
    // Closes every client with 1001 and joins the thread. Idempotent.
    void stop();

    bool isRunning() const;
    quint16 port() const; // the real port, also when started with port 0
    QUrl url() const; // ws:// or wss://127.0.0.1:PORT/socket (the mount URL clients are given)
    // The served certificate's fingerprint (lowercase hex SHA-256), empty for ws://.
    QString fingerprint() const { return m_fingerprint; }
    QString hubId() const { return m_hubId; }
    // What a connect to this hub must be signed for (Identity::fingerprintBinding() over wss://,
    // hubIdBinding() over ws://).
    QString connectBinding() const;
    const HubSettings &settings() const { return m_settings; }
    // Class name of the hub thread's event dispatcher (for the no-GLib test).
    QString dispatcherClassName() const;
    Hub *hub() const { return m_hub; } // lives on the hub thread: use queued calls only

private:
    HubSettings m_settings;
    std::unique_ptr<QThread> m_thread;
    Hub *m_hub = nullptr; // owned by the hub thread, deleted there
    quint16 m_port = 0;
    QString m_fingerprint;
    QString m_hubId;
};

} // namespace Parley::Hub
