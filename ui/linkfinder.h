#pragma once

#include <QList>
#include <QString>
#include <QUrl>

namespace Parley::Ui {

// A link found in a plain-text body: characters [start, start + length) open `url`.
struct TextLink
{
    int start = 0;
    int length = 0;
    QUrl url;
};

// Finds http(s):// and www. links and e-mail addresses (as mailto: links) in plain text;
// trailing punctuation that usually ends a sentence (".,;:!?" and an unbalanced ")") is not part
// of the link.
QList<TextLink> findLinks(const QString &text);

} // namespace Parley::Ui
