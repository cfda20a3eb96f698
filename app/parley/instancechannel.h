#pragma once

#include <QLocalServer>
#include <QObject>
#include <QString>
#include <QStringList>

namespace Parley::App {

// One running app per settings directory: a second start (a parley:// link opened from a
// browser, or the app started again) hands its arguments to the running one over a local
// socket named after the settings file, and quits; the running one raises its window and opens
// the link. Different settings directories (a second identity, tests) never meet.
// Owned by main(); GUI thread.
class InstanceChannel : public QObject
{
    Q_OBJECT
public:
    explicit InstanceChannel(const QString &settingsFile, QObject *parent = nullptr);

    // Hands `arguments` (maybe empty) to a running instance; true if one took them.
    bool handToRunning(const QStringList &arguments, int timeoutMs = 2000);
    // Becomes the running instance; false with *error if the name cannot be taken.
    bool listen(QString *error);
    QString name() const { return m_name; }

signals:
    void received(const QStringList &arguments);

private:
    QString m_name;
    QLocalServer m_server;
};

} // namespace Parley::App
