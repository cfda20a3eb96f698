#pragma once

#include "protocol/identity.h"

#include <QString>

namespace Parley::Client {

// Who this client is on a hub: its key pair (the user_id is derived from it and every connect
// is signed with it), the shown nick and the device kind that goes into presence metas.
// A plain value type.
struct Identity
{
    Protocol::Identity::KeyPair key;
    QString nick;
    QString device = QStringLiteral("desktop");

    QString userId() const { return key.userId(); }
};

} // namespace Parley::Client
