#include "protocol/privatefiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Parley::Protocol::PrivateFiles {

namespace {

constexpr mode_t folderMode = 0700;
constexpr mode_t fileMode = 0600;

bool fail(QString *error, const char *what, const QString &path, int errorNumber)
{
    if (error)
        *error = QStringLiteral("cannot %1 %2: %3")
                     .arg(QLatin1String(what), path,
                          QString::fromLocal8Bit(std::strerror(errorNumber)));
    return false;
}

// Sets the existing `path` (`native`) to `mode` unless it has it already.
bool setMode(const QByteArray &native, const QString &path, mode_t mode, mode_t type,
             QString *error)
{
    struct stat info;
    if (::stat(native.constData(), &info) != 0)
        return fail(error, "read the mode of", path, errno);
    if ((info.st_mode & S_IFMT) != type)
        return fail(error, "use", path, type == S_IFDIR ? ENOTDIR : EISDIR);
    if (type == S_IFDIR && (info.st_mode & S_ISVTX)) {
        // /tmp and its like are everyone's: narrowing one would lock the others out.
        if (error)
            *error
                = QStringLiteral("%1 is shared by everyone (sticky bit): use a folder of its own")
                      .arg(path);
        return false;
    }
    if ((info.st_mode & 07777) == mode)
        return true;
    if (::chmod(native.constData(), mode) != 0)
        return fail(error, "restrict the mode of", path, errno);
    return true;
}

} // namespace

bool ensureFolder(const QString &path, QString *error)
{
    const QString absolute = QDir::cleanPath(QDir(path).absolutePath());
    const QString parent = QFileInfo(absolute).absolutePath();
    if (!QDir().mkpath(parent))
        return fail(error, "create the folder", parent, errno);
    const QByteArray native = QFile::encodeName(absolute);
    // 0700 from the start: never a moment in which others could open it.
    if (::mkdir(native.constData(), folderMode) != 0 && errno != EEXIST)
        return fail(error, "create the folder", absolute, errno);
    return setMode(native, absolute, folderMode, S_IFDIR, error);
}

bool ensureFile(const QString &path, QString *error)
{
    const QByteArray native = QFile::encodeName(path);
    // O_EXCL: an existing file is never opened here (see the header for why).
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode);
    if (fd >= 0)
        ::close(fd);
    else if (errno != EEXIST)
        return fail(error, "create", path, errno);
    return setMode(native, path, fileMode, S_IFREG, error); // the umask may have taken bits
}

bool narrowIfExists(const QString &path, QString *error)
{
    const QByteArray native = QFile::encodeName(path);
    struct stat info;
    if (::stat(native.constData(), &info) != 0)
        return errno == ENOENT ? true : fail(error, "read the mode of", path, errno);
    return setMode(native, path, fileMode, S_IFREG, error);
}

} // namespace Parley::Protocol::PrivateFiles
