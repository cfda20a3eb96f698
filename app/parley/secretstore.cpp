#include "parley/secretstore.h"

#include "parley/logging.h"

#include <QPointer>
#include <qt6keychain/keychain.h>

namespace Parley::App {

SecretStore::SecretStore(QString service, QObject *parent)
    : QObject(parent)
    , m_service(std::move(service))
{
}

void SecretStore::read(const QString &key, QObject *context,
                       std::function<void(const QString &)> answer)
{
    if (const auto known = m_known.constFind(key); known != m_known.cend()) {
        answer(*known);
        return;
    }
    if (m_unavailable) {
        answer({});
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this,
            [this, job, key, context = QPointer<QObject>(context), answer = std::move(answer)] {
                QString secret;
                if (job->error() == QKeychain::NoError) {
                    secret = job->textData();
                    m_known.insert(key, secret);
                } else if (job->error() != QKeychain::EntryNotFound) {
                    noteFailure(job);
                }
                if (context)
                    answer(secret);
            });
    job->start();
}

void SecretStore::write(const QString &key, const QString &secret)
{
    if (secret.isEmpty()) {
        remove(key);
        return;
    }
    if (m_known.value(key) == secret)
        return;
    m_known.insert(key, secret);
    if (m_unavailable)
        return;
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setKey(key);
    job->setTextData(secret);
    connect(job, &QKeychain::Job::finished, this, [this, job] {
        if (job->error() != QKeychain::NoError)
            noteFailure(job);
    });
    job->start();
}

void SecretStore::remove(const QString &key)
{
    const bool wasKept = m_known.remove(key) > 0;
    if (m_unavailable)
        return;
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [this, job, wasKept] {
        if (job->error() != QKeychain::NoError && job->error() != QKeychain::EntryNotFound
            && wasKept)
            noteFailure(job);
    });
    job->start();
}

void SecretStore::noteFailure(const QKeychain::Job *job)
{
    qCWarning(lcApp) << "secret store:" << job->errorString();
    if (m_unavailable)
        return;
    m_unavailable = true;
    const QString reason = job->error() == QKeychain::AccessDenied
        ? tr("access to the secret store was denied")
        : tr("no secret store (such as GNOME Keyring or KWallet) answers");
    emit unavailable(
        tr("Passwords are not remembered: %1. Parley will ask for hub and room passwords "
           "again after a restart, and keeps them nowhere else.")
            .arg(reason));
}

} // namespace Parley::App
