#include "client/identityfile.h"

#include "protocol/privatefiles.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace Parley::Client::IdentityFile {

using Protocol::Identity::KeyPair;

std::optional<KeyPair> read(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QString why;
    std::optional<KeyPair> key = KeyPair::fromPem(file.read(64 * 1024), &why);
    if (!key)
        *error = QStringLiteral("%1 is not a Parley identity (%2)").arg(path, why);
    return key;
}

bool write(const QString &path, const KeyPair &key, QString *error)
{
    const QFileInfo info(path);
    // A folder made here is the key's own: 0700. One that is there already may be the user's.
    if (!info.absoluteDir().exists()
        && !Protocol::PrivateFiles::ensureFolder(info.absolutePath(), error))
        return false;
    QSaveFile file(path);
    // The temporary file is made owner-only before a byte of the key is in it.
    if (!file.open(QIODevice::WriteOnly)
        || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
        || file.write(key.toPem()) < 0 || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QString moveAside(const QString &path, const QString &why, QString *error)
{
    const QString aside = QStringLiteral("%1.%2-%3").arg(
            path, why, QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddThhmmsszzz")));
    if (!QFile::rename(path, aside)) {
        *error = QStringLiteral("cannot move %1 aside").arg(path);
        return {};
    }
    return aside;
}

Loaded loadOrCreate(const QString &path)
{
    Loaded loaded;
    if (QFileInfo::exists(path)) {
        loaded.key = read(path, &loaded.error);
        return loaded;
    }
    const KeyPair key = KeyPair::generate();
    if (!write(path, key, &loaded.error))
        return loaded;
    loaded.key = key;
    loaded.created = true;
    return loaded;
}

} // namespace Parley::Client::IdentityFile
