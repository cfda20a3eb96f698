#include "hub/logging.h"

namespace Parley::Hub {

Q_LOGGING_CATEGORY(lcHub, "parley.hub")

} // namespace Parley::Hub
