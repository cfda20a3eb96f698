#include "protocol/validation.h"

#include "protocol/events.h"

#include <cmath>

namespace Parley::Protocol {

bool isValidStatus(const QString &status)
{
    return status == Status::Online || status == Status::Away || status == Status::Busy;
}

bool hasControlCharacters(const QString &text)
{
    for (const QChar c : text) {
        const ushort u = c.unicode();
        if (u < 0x20 || (u >= 0x7F && u < 0xA0) || u == 0x2028 || u == 0x2029)
            return true;
    }
    return false;
}

static qsizetype codePoints(const QString &text)
{
    qsizetype count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (!(text.at(i).isLowSurrogate() && i > 0 && text.at(i - 1).isHighSurrogate()))
            ++count;
    }
    return count;
}

std::optional<QString> normalizedBody(const QJsonValue &body)
{
    if (!body.isString())
        return std::nullopt;
    const QString trimmed = body.toString().trimmed();
    if (trimmed.isEmpty() || codePoints(trimmed) > maxBodyLength)
        return std::nullopt;
    // Line breaks and tabs are text; other control characters are not.
    for (const QChar c : trimmed) {
        const ushort u = c.unicode();
        if ((u < 0x20 && u != u'\n' && u != u'\t' && u != u'\r') || u == 0x7F)
            return std::nullopt;
    }
    return trimmed;
}

std::optional<QString> normalizedNick(const QString &nick)
{
    const QString trimmed = nick.trimmed();
    if (trimmed.isEmpty() || codePoints(trimmed) > maxNickLength || hasControlCharacters(trimmed))
        return std::nullopt;
    return trimmed;
}

std::optional<qint64> integerIn(const QJsonValue &value, qint64 min, qint64 max)
{
    if (!value.isDouble())
        return std::nullopt;
    const double number = value.toDouble();
    if (!std::isfinite(number) || std::floor(number) != number || number < double(min)
        || number > double(max))
        return std::nullopt;
    return qint64(number);
}

} // namespace Parley::Protocol
