#pragma once

#include <QPersistentModelIndex>
#include <QString>

#include <optional>
#include <utility>

namespace Parley::Ui {

// Text selected in the message view: from an anchor (where the mouse went down) to a focus
// (where it is now), each a row and a character position in that row's laid-out text. Spans
// several messages; rows follow insertions above them (persistent indexes). No widgets: the
// view feeds it, the delegate paints what rangeIn() says. GUI thread.
class MessageSelection
{
public:
    void start(const QModelIndex &index, int position);
    void extend(const QModelIndex &index, int position);
    void select(const QModelIndex &index, int from, int to); // one row, e.g. a word
    void clear();
    bool isEmpty() const;

    // The selected characters [start, end) of a row whose text has `length` characters.
    std::optional<std::pair<int, int>> rangeIn(const QModelIndex &index, int length) const;
    // What the selection copies: the selected part of each message's body; with several
    // messages, each on its own line after its sender's name.
    QString text() const;

    // The first word-boundary span around position in text (for a double click).
    static std::pair<int, int> wordAt(const QString &text, int position);

private:
    struct End
    {
        QPersistentModelIndex index;
        int position = 0;
    };
    std::pair<End, End> ordered() const; // first, last in the view's order

    End m_anchor;
    End m_focus;
};

} // namespace Parley::Ui
