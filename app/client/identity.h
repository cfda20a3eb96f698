#pragma once

#include <QString>

namespace Parley::Client {

// Who this client is on a hub: the stable user_id (presence key), the shown nick and the device
// kind that goes into presence metas. A plain value type.
struct Identity
{
    QString userId;
    QString nick;
    QString device = QStringLiteral("desktop");
};

} // namespace Parley::Client
