#include "ui/linkfinder.h"

#include <QRegularExpression>

namespace Parley::Ui {

QList<TextLink> findLinks(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral(R"((?:\bhttps?://|\bwww\.)[^\s<>"']+)"),
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
        const QString target = candidate.startsWith(QLatin1String("www."), Qt::CaseInsensitive)
            ? QStringLiteral("http://") + candidate
            : candidate;
        const QUrl url(target, QUrl::StrictMode);
        if (url.isValid() && !url.host().isEmpty())
            links.append({ int(match.capturedStart()), int(candidate.size()), url });
    }
    return links;
}

} // namespace Parley::Ui
