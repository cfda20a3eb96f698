#pragma once

#include "protocol/identity.h"

#include <QString>

#include <optional>

namespace Parley::Client::IdentityFile {

// The user's key pair on disk (docs/protocol.md, "Identity"): PEM (PKCS#8), readable by its
// owner only (0600), written atomically so a crash never leaves half a key. Plain functions;
// any thread.

// Moves the file at `path` aside, to `path` + "." + `why` + "-" + a UTC timestamp, and returns
// that name; empty and *error if it cannot. An identity is kept, never deleted.
QString moveAside(const QString &path, const QString &why, QString *error);

// Reads the key in `path`; nullopt and *error (naming the file and what is wrong) if the file
// cannot be read or holds no Ed25519 key.
std::optional<Protocol::Identity::KeyPair> read(const QString &path, QString *error);
// Writes `key` to `path` (mode 0600, atomically: a temporary file renamed over it), making
// the directory (0700) if needed. False and *error on failure.
bool write(const QString &path, const Protocol::Identity::KeyPair &key, QString *error);

struct Loaded
{
    std::optional<Protocol::Identity::KeyPair> key;
    bool created = false; // there was no file: a new key was made and written
    QString error; // set when key is empty
};
// The key in `path`, or a new one written there if no file exists yet. A file that exists but
// cannot be read, or is not a key, is an error and is left exactly as it is: an identity is
// never replaced without the user saying so.
Loaded loadOrCreate(const QString &path);

} // namespace Parley::Client::IdentityFile
