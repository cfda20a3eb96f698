#pragma once

#include <QString>

namespace Parley::Ui {

// A message time as people read it: the locale's short time format without seconds ("14:02",
// "2:02 PM"); C and some other locales put seconds into the short format.
QString shortTime(qint64 msSinceEpoch);

} // namespace Parley::Ui
