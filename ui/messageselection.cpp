#include "ui/messageselection.h"

#include "client/messagemodel.h"

#include <QStringList>
#include <QTextBoundaryFinder>

namespace Parley::Ui {

using Client::MessageModel;

void MessageSelection::start(const QModelIndex &index, int position)
{
    m_anchor = { index, position };
    m_focus = m_anchor;
}

void MessageSelection::extend(const QModelIndex &index, int position)
{
    if (m_anchor.index.isValid() && index.isValid())
        m_focus = { index, position };
}

void MessageSelection::select(const QModelIndex &index, int from, int to)
{
    m_anchor = { index, from };
    m_focus = { index, to };
}

void MessageSelection::clear()
{
    m_anchor = {};
    m_focus = {};
}

bool MessageSelection::isEmpty() const
{
    return !m_anchor.index.isValid() || !m_focus.index.isValid()
        || (m_anchor.index == m_focus.index && m_anchor.position == m_focus.position);
}

std::pair<MessageSelection::End, MessageSelection::End> MessageSelection::ordered() const
{
    const bool anchorFirst = m_anchor.index.row() < m_focus.index.row()
        || (m_anchor.index.row() == m_focus.index.row() && m_anchor.position <= m_focus.position);
    return anchorFirst ? std::pair { m_anchor, m_focus } : std::pair { m_focus, m_anchor };
}

std::optional<std::pair<int, int>> MessageSelection::rangeIn(const QModelIndex &index,
                                                             int length) const
{
    if (isEmpty() || index.model() != m_anchor.index.model())
        return std::nullopt;
    const auto [first, last] = ordered();
    const int row = index.row();
    if (row < first.index.row() || row > last.index.row())
        return std::nullopt;
    const int start = row == first.index.row() ? qBound(0, first.position, length) : 0;
    const int end = row == last.index.row() ? qBound(0, last.position, length) : length;
    if (start >= end)
        return std::nullopt;
    return std::pair { start, end };
}

QString MessageSelection::text() const
{
    if (isEmpty())
        return {};
    const auto [first, last] = ordered();
    const QAbstractItemModel *model = first.index.model();
    const bool several = first.index.row() != last.index.row();
    QStringList parts;
    for (int row = first.index.row(); row <= last.index.row(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data(MessageModel::DeletedRole).toBool())
            continue;
        const QString body = index.data(MessageModel::BodyRole).toString();
        const auto range = rangeIn(index, int(body.size()));
        if (!range)
            continue;
        const QString part = body.mid(range->first, range->second - range->first);
        parts.append(several ? index.data(MessageModel::DisplayNameRole).toString()
                             + QStringLiteral(": ") + part
                             : part);
    }
    return parts.join(QLatin1Char('\n'));
}

std::pair<int, int> MessageSelection::wordAt(const QString &text, int position)
{
    position = qBound(0, position, int(text.size()));
    QTextBoundaryFinder finder(QTextBoundaryFinder::Word, text);
    finder.setPosition(position);
    int start = finder.isAtBoundary()
            && finder.boundaryReasons().testFlag(QTextBoundaryFinder::StartOfItem)
        ? position
        : int(finder.toPreviousBoundary());
    finder.setPosition(position);
    int end = int(finder.toNextBoundary());
    if (start < 0)
        start = 0;
    if (end < 0)
        end = int(text.size());
    return { start, end };
}

} // namespace Parley::Ui
