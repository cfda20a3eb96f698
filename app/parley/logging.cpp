#include "parley/logging.h"

namespace Parley::App {

Q_LOGGING_CATEGORY(lcApp, "parley.app", QtInfoMsg)

} // namespace Parley::App
