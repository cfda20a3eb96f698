#pragma once

#include "hub/hubsettings.h"

class QCoreApplication;

namespace Parley::HubCli {

// parley-hub's command line (--help lists every option): the hub's settings, each limit of
// docs/protocol.md among them. A bad value prints why on stderr and exits with code 2.
Hub::HubSettings settingsFromCommandLine(const QCoreApplication &app);

} // namespace Parley::HubCli
