#pragma once

#include <QLoggingCategory>

namespace Parley::App {

// The one logging category of the desktop app's own library ("parley.app").
Q_DECLARE_LOGGING_CATEGORY(lcApp)

} // namespace Parley::App
