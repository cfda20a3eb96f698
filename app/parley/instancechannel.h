#pragma once

#include <QLocalServer>
#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace Parley::App {

// One running app per settings directory: a second start (a parley:// link opened from a
// browser, or the app started again) hands its arguments to the running one over a local
// socket named after the settings file, and quits; the running one raises its window and opens
// the link. Different settings directories (a second identity, tests) never meet.
// The socket is this user's alone: it lives in $XDG_RUNTIME_DIR when that is a folder only this
// user may enter, else in parley-UID of the temporary folder, made 0700 here and used only if it
// is this user's, 0700 and no symlink; without either there is no channel and every start runs
// on its own. Both ends also ask the kernel who is at the other end (SO_PEERCRED): a link is
// handed only to, and taken only from, this same user, never to an account squatting the name.
// Owned by main(); GUI thread.
class InstanceChannel : public QObject
{
    Q_OBJECT
public:
    explicit InstanceChannel(const QString &settingsFile, QObject *parent = nullptr);

    // Hands `arguments` (maybe empty) to a running instance of this user; true if one took
    // them. False (logged) when none runs, and when the socket is held by another user: then
    // nothing at all is sent.
    bool handToRunning(const QStringList &arguments, int timeoutMs = 2000);
    // Becomes the running instance; false with *error if there is no safe place for the socket
    // or it cannot be taken.
    bool listen(QString *error);
    // The socket's full path; empty when there is no safe folder for it. Found (and the folder
    // in the temporary folder made) on first use: a run that never uses the channel makes nothing.
    QString name() const;

    // The effective uid of the process at the other end of the connected local socket
    // `descriptor` (as it was when that end connected or listened); nullopt if it is unknown.
    static std::optional<uint> peerUid(qintptr descriptor);
    // Whether to talk to a peer whose uid is `peer`: only when it is `self` (known and equal).
    static bool isSameUser(std::optional<uint> peer, uint self);

signals:
    void received(const QStringList &arguments);

private:
    void onNewConnection();

    QString m_settingsFile;
    mutable std::optional<QString> m_name; // set by name()
    mutable QString m_unusable; // why the name is empty
    QLocalServer m_server;
};

} // namespace Parley::App
