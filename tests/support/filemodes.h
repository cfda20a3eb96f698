#pragma once

#include <QFile>
#include <QString>

#include <sys/stat.h>

// The permission bits of files, for the tests of who may read what (docs/protocol.md, 7.7).
namespace Parley::Testing::FileModes {

// The permission bits of `path`, e.g. 0600; -1 if there is no such file.
inline int modeOf(const QString &path)
{
    struct stat info = {};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 ? int(info.st_mode & 07777) : -1;
}

inline bool setMode(const QString &path, int mode)
{
    return ::chmod(QFile::encodeName(path).constData(), mode_t(mode)) == 0;
}

// The process umask for one scope (by default the usual 022: files 0644, folders 0755), whatever
// the test runner's: the tests show the modes do not depend on it.
class Umask
{
public:
    explicit Umask(mode_t mask = 022)
        : m_old(::umask(mask))
    {
    }
    ~Umask() { ::umask(m_old); }
    Umask(const Umask &) = delete;
    Umask &operator=(const Umask &) = delete;

private:
    mode_t m_old;
};

} // namespace Parley::Testing::FileModes
