#pragma once

#include <QStyledItemDelegate>

#include <functional>

namespace Parley::Ui {

// Paints a row of Client::PresenceModel: an initials avatar with a status dot (green online,
// amber away, red busy), the nick, and below it "typing…" or the status and device count. The
// tooltip says since when the user is online. Owned by OnlineUsersPanel; GUI thread.
class UserDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using TypingLookup = std::function<bool(const QString &userId)>;

    explicit UserDelegate(QObject *parent = nullptr);

    // Typing is per topic: the panel answers it from the open topic's presence.
    void setTypingLookup(TypingLookup lookup) { m_isTyping = std::move(lookup); }

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    bool helpEvent(QHelpEvent *event, QAbstractItemView *view, const QStyleOptionViewItem &option,
                   const QModelIndex &index) override;

    // The dot colour of a status (fixed: green, amber, red; grey for anything else).
    static QColor statusColor(const QString &status);
    static QString statusText(const QString &status);
    // The row's second line: "typing…", else the status and, for several, the device count.
    QString detailText(const QModelIndex &index) const;
    bool isTyping(const QModelIndex &index) const;

private:
    TypingLookup m_isTyping;
};

} // namespace Parley::Ui
