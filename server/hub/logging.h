#pragma once

#include <QLoggingCategory>

namespace Parley::Hub {

// The hub library's one logging category, "parley.hub".
Q_DECLARE_LOGGING_CATEGORY(lcHub)

} // namespace Parley::Hub
