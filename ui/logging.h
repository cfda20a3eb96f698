#pragma once

#include <QLoggingCategory>

namespace Parley::Ui {

// The one logging category of parley_ui ("parley.ui").
Q_DECLARE_LOGGING_CATEGORY(lcUi)

} // namespace Parley::Ui
