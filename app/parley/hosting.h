#pragma once

#include "ui/hubcontrol.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

namespace Parley::App {

// What the Workspace needs of the hub this app hosts. HostController (parley_host) runs the
// real embedded hub; the Workspace itself does not link the hub library, so the desktop tests
// that only join hubs do not either. GUI thread.
class Hosting : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    // Starts (or restarts) the hub; false with *error if it cannot listen.
    virtual bool start(const Ui::HostOptions &options, QString *error) = 0;
    // Closes every client with 1001 and stops the hub. Idempotent.
    virtual void stop() = 0;
    virtual bool isRunning() const = 0;
    virtual Ui::HostOptions options() const = 0; // as started, with the real port
    virtual QUrl localUrl() const = 0; // ws(s)://127.0.0.1:PORT/socket: how this app joins it
    virtual QString fingerprint() const = 0; // the served certificate's; empty for ws://
    virtual QStringList lanAddresses() const = 0; // "ADDRESS:PORT" others type

signals:
    void runningChanged(bool running);
};

} // namespace Parley::App
