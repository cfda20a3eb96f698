#include "ui/linkfinder.h"

#include <QRegularExpression>

namespace Parley::Ui {

QList<TextLink> findLinks(const QString &text)
{
    // A web link, or an e-mail address (opened as mailto:).
    static const QRegularExpression pattern(
        QStringLiteral(
            R"((?:\bhttps?://|\bwww\.)[^\s<>"']+|\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b)"),
        QRegularExpression::CaseInsensitiveOption);
    QList<TextLink> links;
    auto matches = pattern.globalMatch(text);
    while (matches.hasNext()) {
        const QRegularExpressionMatch match = matches.next();
        QString candidate = match.captured();
        while (!candidate.isEmpty()) {
            const QChar last = candidate.back();
            if (QStringLiteral(".,;:!?").contains(last)) {
                candidate.chop(1);
            } else if (last == QLatin1Char(')')
                       && candidate.count(QLatin1Char('(')) < candidate.count(QLatin1Char(')'))) {
                candidate.chop(1);
            } else {
                break;
            }
        }
        const bool web = candidate.startsWith(QLatin1String("http"), Qt::CaseInsensitive)
            || candidate.startsWith(QLatin1String("www."), Qt::CaseInsensitive);
        const QString target = !web ? QStringLiteral("mailto:") + candidate
            : candidate.startsWith(QLatin1String("www."), Qt::CaseInsensitive)
            ? QStringLiteral("http://") + candidate
            : candidate;
        const QUrl url(target, QUrl::StrictMode);
        if (url.isValid() && (!url.host().isEmpty() || url.scheme() == QLatin1String("mailto")))
            links.append({ int(match.capturedStart()), int(candidate.size()), url });
    }
    return links;
}

} // namespace Parley::Ui
