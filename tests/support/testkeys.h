#pragma once

#include "protocol/identity.h"

#include <QString>

namespace Parley::Testing::TestKeys {

// Fixed key pairs for the users of tests, so that "ana" is the same person in every run: the
// private key of a label is SHA-256 of the label. Made once per label and kept for the test's
// life; thread-safe.
const Protocol::Identity::KeyPair &forLabel(const QString &label);
// The user_id of the label's key.
QString userId(const QString &label);
// The key whose user_id is `userId`, if forLabel() made it; nullptr otherwise.
const Protocol::Identity::KeyPair *findByUserId(const QString &userId);
// The key for `labelOrUserId`: the key of a user_id made here, else the key of that label.
const Protocol::Identity::KeyPair &of(const QString &labelOrUserId);

// What a connect to the hub this test process started on `port` is signed for
// (Identity::fingerprintBinding() or hubIdBinding()): TestHub and HubProcess record it when
// their hub listens. Empty for a port no hub of this process listens on.
void setHubBinding(quint16 port, const QString &binding);
QString hubBinding(quint16 port);

} // namespace Parley::Testing::TestKeys
