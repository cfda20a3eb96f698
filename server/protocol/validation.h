#pragma once

#include <QJsonValue>
#include <QString>

#include <optional>

// Field rules of docs/protocol.md shared by the hub (validation) and the client (pre-checks).
namespace Parley::Protocol {

constexpr int maxBodyLength = 4000;
constexpr int maxNickLength = 32;
constexpr int maxDeviceLength = 32;

bool hasControlCharacters(const QString &text);
// A presence status a client may set: online, away or busy.
bool isValidStatus(const QString &status);
// Trimmed body if it is 1-4000 characters (code points) after trimming.
std::optional<QString> normalizedBody(const QJsonValue &body);
// Trimmed nick if it is 1-32 characters with no control characters.
std::optional<QString> normalizedNick(const QString &nick);
// An integer JSON number in [min, max] (ids are below 2^53).
std::optional<qint64> integerIn(const QJsonValue &value, qint64 min, qint64 max);

} // namespace Parley::Protocol
