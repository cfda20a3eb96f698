#pragma once

#include <QString>

namespace Parley::Client {

// True if `body` names `nick` as a word ("@ana", "ana:", "hi Ana"), case-insensitive: what
// counts as a mention for unread badges and for notifications while busy.
bool mentionsNick(const QString &body, const QString &nick);

} // namespace Parley::Client
