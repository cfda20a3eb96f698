#pragma once

#include <QString>

// Files only their owner may read, in folders only their owner may enter (docs/protocol.md,
// section 7.7): the hub's database with its -wal and -shm and its data directory, the
// desktop's settings file and folder, its data directory (identity key, embedded hub). Files are
// made 0600 and folders 0700 as they are created, never by changing the process umask (the hub
// runs on a thread of the desktop app), and what an older version left readable to everyone
// (0644 in 0755) is narrowed when it is opened again. Hub and desktop both use these.
// Plain functions; any thread.
//
// They work on paths (stat, chmod), never by opening and closing a file that may already be
// open: closing any descriptor of a file drops the POSIX locks the process holds on it, and
// SQLite keeps its locks on the database and -shm files that way.
namespace Parley::Protocol::PrivateFiles {

// Makes `path` a folder only its owner may enter (0700): made if missing (missing parents get
// the usual mode), narrowed to 0700 if it exists. False, with *error, if it cannot be, or if it
// is a shared folder such as /tmp (sticky bit).
bool ensureFolder(const QString &path, QString *error);
// Makes `path` a file only its owner may read and write (0600): made empty if missing (its
// folder must exist), set to 0600 if it exists. False, with *error, if it cannot be.
bool ensureFile(const QString &path, QString *error);
// Sets `path` to 0600 if it exists; a missing file is fine.
bool narrowIfExists(const QString &path, QString *error);

} // namespace Parley::Protocol::PrivateFiles
