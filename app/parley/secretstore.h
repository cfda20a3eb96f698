#pragma once

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

namespace QKeychain {
class Job;
}

namespace Parley::App {

// The passwords the app keeps for the user (hub and room passwords) in the desktop's secret
// store through QtKeychain: the Secret Service (GNOME Keyring, KeePassXC…) or KWallet on Linux,
// the Keychain on macOS, the Credential Manager on Windows. Never in a plain file: where no such
// store answers, nothing is kept and unavailable() says so, once. Answers come back on the GUI
// thread. Owned by the Workspace.
class SecretStore : public QObject
{
    Q_OBJECT
public:
    // `service`: the name the entries are filed under (one per app profile).
    explicit SecretStore(QString service, QObject *parent = nullptr);

    // The secret kept under key (empty: none kept, or no store), given to `answer` unless
    // `context` is gone by then.
    void read(const QString &key, QObject *context, std::function<void(const QString &)> answer);
    // Keeps secret under key (nothing is written when it is already the one kept).
    void write(const QString &key, const QString &secret);
    void remove(const QString &key);

    bool isAvailable() const { return !m_unavailable; }

    static QString hubKey(const QString &hubAddress) { return QStringLiteral("hub ") + hubAddress; }
    static QString roomKey(const QString &hubId, const QString &topic)
    {
        return QStringLiteral("room ") + hubId + QLatin1Char(' ') + topic;
    }

signals:
    // No secret store answered: `explanation` says what that means for the user.
    void unavailable(const QString &explanation);

private:
    void noteFailure(const QKeychain::Job *job);

    QString m_service;
    QHash<QString, QString> m_known; // what was read or written in this run
    bool m_unavailable = false;
};

} // namespace Parley::App
