#include "ui/logging.h"

namespace Parley::Ui {

Q_LOGGING_CATEGORY(lcUi, "parley.ui", QtInfoMsg)

} // namespace Parley::Ui
