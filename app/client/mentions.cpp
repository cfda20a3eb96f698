#include "client/mentions.h"

#include <QRegularExpression>

namespace Parley::Client {

bool mentionsNick(const QString &body, const QString &nick)
{
    const QString word = nick.trimmed();
    if (word.isEmpty())
        return false;
    const QRegularExpression pattern(
        QStringLiteral("(?<![\\w])@?%1(?![\\w])").arg(QRegularExpression::escape(word)),
        QRegularExpression::CaseInsensitiveOption | QRegularExpression::UseUnicodePropertiesOption);
    return pattern.match(body).hasMatch();
}

} // namespace Parley::Client
