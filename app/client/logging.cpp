#include "client/logging.h"

namespace Parley::Client {

Q_LOGGING_CATEGORY(lcClient, "parley.client")

} // namespace Parley::Client
