#pragma once

#include <QLoggingCategory>

namespace Parley::Client {

// The one logging category of parley_client ("parley.client").
Q_DECLARE_LOGGING_CATEGORY(lcClient)

} // namespace Parley::Client
