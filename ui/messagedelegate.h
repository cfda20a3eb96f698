#pragma once

#include "ui/linkfinder.h"

#include <QDate>
#include <QHash>
#include <QStyledItemDelegate>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QTextLayout;

namespace Parley::Ui {

// Paints a row of Client::MessageModel as plain text — a body is never interpreted as HTML: it
// is laid out with QTextLayout, links only get a colour and an underline. A row may carry a day
// separator and the "new messages" line above it; consecutive messages of one user within five
// minutes are grouped under one avatar and name. Own pending messages are greyed with a clock,
// failed ones carry a warning; "(edited)" and deleted messages are marked.
// Owned by MessageView; GUI thread.
class MessageSelection;

class MessageDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    static constexpr qint64 groupWindowMs = 5 * 60 * 1000;

    explicit MessageDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

    // The "new messages" line is drawn above the message with this id (0: none).
    void setNewMarkerId(qint64 id);
    // A timing hook for the client benchmark: called with a confirmed message's id each time
    // its row is painted. None by default.
    void setPaintObserver(std::function<void(qint64 id)> observer)
    {
        m_paintObserver = std::move(observer);
    }
    qint64 newMarkerId() const { return m_newMarkerId; }

    // The exact text laid out for a row's body (the body itself; a deleted message's notice;
    // "(edited)" follows the body when edited).
    QString layoutText(const QModelIndex &index) const;
    // The links of a row's laid-out text.
    QList<TextLink> links(const QModelIndex &index) const;
    // Grouping: true if this row starts a new group (avatar and name are shown).
    bool startsGroup(const QModelIndex &index) const;
    // True if a day separator is drawn above this row.
    bool startsDay(const QModelIndex &index) const;
    // The link under pos (view viewport coordinates) in a row painted in rect, if any.
    std::optional<QUrl> linkAt(const QModelIndex &index, const QRect &rect, const QPoint &pos,
                               const QFont &font) const;

    // The character position in a row's laid-out text nearest to pos (viewport coordinates):
    // 0 above its text, the end below it.
    int cursorAt(const QModelIndex &index, const QRect &rect, const QPoint &pos,
                 const QFont &font) const;
    // The selected text is painted highlighted (the view owns the selection).
    void setSelection(const MessageSelection *selection) { m_selection = selection; }

    static QString dayLabel(const QDate &date, const QDate &today);

    // Forgets every laid-out row (the font or the palette changed).
    void clearCache() { m_rows.clear(); }
    int cachedRows() const { return int(m_rows.size()); }

    // The rows laid out so far (a few screens' worth).
    static constexpr int maxCachedRows = 3000;
    // Everything a row's look depends on. A change of any part (an edit, a delete, a confirmed
    // send, a neighbour, the "new messages" line, the width, the day) makes a new key.
    struct RowKey
    {
        qint64 id = 0;
        QString clientId; // for pending messages (id 0)
        size_t textHash = 0; // body and shown name
        int width = 0;
        int flags = 0;
        qint64 today = 0; // "Today" / "Yesterday" labels change at midnight

        bool operator==(const RowKey &) const = default;
        friend size_t qHash(const RowKey &key, size_t seed = 0)
        {
            return qHashMulti(seed, key.id, key.clientId, key.textHash, key.width, key.flags,
                              key.today);
        }
    };

private:
    struct Geometry;
    struct Row;
    bool startsGroup(const QModelIndex &index, bool startsDay) const;
    // What the row paints, from the cache or laid out now.
    std::shared_ptr<const Row> row(const QModelIndex &index, int width, const QFont &font,
                                   const QPalette &palette) const;
    // Where everything of a row of `width` goes, at (0, 0), around the laid-out body.
    Geometry geometry(const QModelIndex &index, int width, const QFont &font, bool day, bool head,
                      bool marker, QTextLayout *layout) const;
    void prepareBody(QTextLayout &layout, const QModelIndex &index, const QList<TextLink> &links,
                     const QFont &font, const QPalette &palette, int width) const;
    void paintDaySeparator(QPainter *painter, const QRect &rect, const QPalette &palette,
                           const QString &label) const;
    void paintNewMarker(QPainter *painter, const QRect &rect, const QPalette &palette) const;
    QPixmap avatar(const Row &row, const QSize &size, qreal ratio) const;

    qint64 m_newMarkerId = 0;
    const MessageSelection *m_selection = nullptr;
    std::function<void(qint64)> m_paintObserver;
    mutable QHash<RowKey, std::shared_ptr<const Row>> m_rows;
};

} // namespace Parley::Ui
