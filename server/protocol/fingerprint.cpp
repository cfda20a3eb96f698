#include "protocol/fingerprint.h"

#include <QCryptographicHash>
#include <QStringList>

namespace Parley::Protocol::Fingerprint {

QString of(const QByteArray &certificateDer)
{
    return QString::fromLatin1(QCryptographicHash::hash(certificateDer, QCryptographicHash::Sha256).toHex());
}

QString normalized(const QString &text)
{
    QString hex = text.trimmed().toLower();
    if (hex.startsWith(QLatin1String("sha256:")))
        hex.remove(0, 7);
    hex.remove(u':');
    hex.remove(u' ');
    if (hex.size() != 64)
        return {};
    for (const QChar c : std::as_const(hex)) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return {};
    }
    return hex;
}

QString safetyCode(const QString &fingerprint)
{
    const QString hex = normalized(fingerprint).toUpper();
    if (hex.isEmpty())
        return {};
    QStringList groups;
    for (int i = 0; i < 5; ++i)
        groups.append(hex.mid(i * 4, 4));
    return groups.join(u'-');
}

} // namespace Parley::Protocol::Fingerprint
