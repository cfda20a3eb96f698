#include "ui/identityactions.h"

#include "client/identityfile.h"
#include "ui/appsettings.h"
#include "ui/hubcontrol.h"

#include <QDir>
#include <QFileDialog>
#include <QMessageBox>
#include <QPushButton>

namespace Parley::Ui {

using Protocol::Identity::fingerprint;

IdentityActions::IdentityActions(AppSettings *settings, HubControl *hubs, QWidget *dialogParent)
    : QObject(dialogParent)
    , m_settings(settings)
    , m_hubs(hubs)
    , m_parent(dialogParent)
{
}

bool IdentityActions::loadAtStart(AppSettings *settings, const QString &path, bool mayAsk, QString *error)
{
    Client::IdentityFile::Loaded loaded = Client::IdentityFile::loadOrCreate(path);
    if (!loaded.key && mayAsk) {
        QMessageBox box(QMessageBox::Critical, tr("Your identity cannot be read"),
                        tr("Parley keeps who you are (your key) in a file, and cannot use it:\n\n%1\n\n"
                           "If you have a copy of your identity, quit, put it back and start again. "
                           "A new identity makes you someone new to everyone: the direct messages "
                           "and messages of the old one are no longer yours.")
                                .arg(loaded.error));
        QPushButton *quit = box.addButton(tr("Quit"), QMessageBox::RejectRole);
        box.addButton(tr("Make a new identity"), QMessageBox::DestructiveRole);
        box.setDefaultButton(quit);
        box.exec();
        if (box.clickedButton() == quit) {
            *error = loaded.error;
            return false;
        }
        if (Client::IdentityFile::moveAside(path, QStringLiteral("unreadable"), error).isEmpty())
            return false;
        loaded = Client::IdentityFile::loadOrCreate(path);
    }
    if (!loaded.key) {
        *error = loaded.error;
        return false;
    }
    settings->setIdentityKey(*loaded.key);
    settings->setIdentityPath(path);
    return true;
}

bool IdentityActions::exportTo(const QString &path, QString *error)
{
    return Client::IdentityFile::write(path, m_settings->identityKey(), error);
}

bool IdentityActions::importFrom(const QString &path, QString *error)
{
    const std::optional<Protocol::Identity::KeyPair> key = Client::IdentityFile::read(path, error);
    if (!key)
        return false;
    if (key->userId() == m_settings->userId())
        return true;
    const QString target = m_settings->identityPath();
    if (!target.isEmpty()) {
        if (QFile::exists(target)
            && Client::IdentityFile::moveAside(target, QStringLiteral("replaced"), error).isEmpty())
            return false;
        if (!Client::IdentityFile::write(target, *key, error))
            return false;
    }
    m_settings->setIdentityKey(*key);
    emit identityChanged();
    m_hubs->rejoinAll(); // every connect is signed with the new key from now on
    return true;
}

void IdentityActions::exportIdentity()
{
    const QString suggested = QDir::home().filePath(QStringLiteral("parley-identity.pem"));
    const QString path = QFileDialog::getSaveFileName(
            m_parent, tr("Export identity"), suggested, tr("Parley identity (*.pem)"));
    if (path.isEmpty())
        return;
    QString error;
    if (!exportTo(path, &error)) {
        QMessageBox::warning(m_parent, tr("Export identity"), error);
        return;
    }
    QMessageBox::information(
            m_parent, tr("Identity exported"),
            tr("Your identity is in %1.\n\nWhoever has this file can be you: keep it private. On "
               "another device, use Import identity… with it, and you are the same person there "
               "(fingerprint %2).")
                    .arg(QDir::toNativeSeparators(path), fingerprint(m_settings->userId())));
}

void IdentityActions::importIdentity()
{
    const QString path = QFileDialog::getOpenFileName(m_parent, tr("Import identity"), QDir::homePath(),
                                                      tr("Parley identity (*.pem);;All files (*)"));
    if (path.isEmpty())
        return;
    QString error;
    const std::optional<Protocol::Identity::KeyPair> key = Client::IdentityFile::read(path, &error);
    if (!key) {
        QMessageBox::warning(m_parent, tr("Import identity"), error);
        return;
    }
    if (key->userId() == m_settings->userId()) {
        QMessageBox::information(m_parent, tr("Import identity"), tr("This is already your identity."));
        return;
    }
    const auto answer = QMessageBox::question(
            m_parent, tr("Import identity"),
            tr("Become the identity in this file?\n\nNow: fingerprint %1\nAfter: fingerprint %2\n\n"
               "Your current key is kept beside the new one, so you can go back.")
                    .arg(fingerprint(m_settings->userId()), fingerprint(key->userId())));
    if (answer == QMessageBox::Yes && !importFrom(path, &error))
        QMessageBox::warning(m_parent, tr("Import identity"), error);
}

} // namespace Parley::Ui
