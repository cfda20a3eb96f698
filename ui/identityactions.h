#pragma once

#include <QObject>
#include <QPointer>

class QWidget;

namespace Parley::Ui {

class AppSettings;
class HubControl;

// What the user does with their identity (docs/protocol.md, "Identity"): load it at start
// (asking what to do when the key file cannot be read), export it to carry it to another
// device, and import one, which replaces the current key (kept beside it) and reconnects.
// Owned by MainWindow (or main() for the start); GUI thread.
class IdentityActions : public QObject
{
    Q_OBJECT
public:
    IdentityActions(AppSettings *settings, HubControl *hubs, QWidget *dialogParent);

    // Loads the key from `path` into `settings`, making one there on first start. A file that
    // cannot be read is never replaced silently: with `mayAsk` the user chooses between quitting
    // and a new identity (the old file is moved aside, not deleted); without, it is an error.
    // False (and *error) if there is no identity to run with.
    static bool loadAtStart(AppSettings *settings, const QString &path, bool mayAsk, QString *error);

    // The work of the two actions, without their dialogs (tests call these). False and *error
    // on failure.
    bool exportTo(const QString &path, QString *error);
    // Becomes the identity in `path`: the current key file is moved aside (kept), the new key
    // written in its place, and every hub is joined again as the new identity.
    bool importFrom(const QString &path, QString *error);

public slots:
    // Ask for a file (and, for an import, a confirmation naming both fingerprints), then do it.
    void exportIdentity();
    void importIdentity();

signals:
    // After an import: the user is now someone else (every hub is joined again).
    void identityChanged();

private:
    AppSettings *m_settings;
    HubControl *m_hubs;
    QPointer<QWidget> m_parent;
};

} // namespace Parley::Ui
