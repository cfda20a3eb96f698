#include "ui/typingindicator.h"

#include "client/presencemodel.h"

namespace Parley::Ui {

TypingIndicator::TypingIndicator(QWidget *parent)
    : QLabel(parent)
{
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    small.setItalic(true);
    setFont(small);
    setForegroundRole(QPalette::PlaceholderText);
    setTextFormat(Qt::PlainText); // nicks come from the network
    setContentsMargins(16, 0, 16, 0);
    setFixedHeight(fontMetrics().height() + 4);
}

void TypingIndicator::setPresence(Client::PresenceModel *presence)
{
    if (m_presence)
        disconnect(m_presence, nullptr, this, nullptr);
    m_presence = presence;
    if (presence) {
        connect(presence, &QAbstractItemModel::dataChanged, this, &TypingIndicator::refresh);
        connect(presence, &QAbstractItemModel::rowsInserted, this, &TypingIndicator::refresh);
        connect(presence, &QAbstractItemModel::rowsRemoved, this, &TypingIndicator::refresh);
        connect(presence, &QAbstractItemModel::modelReset, this, &TypingIndicator::refresh);
    }
    refresh();
}

QString TypingIndicator::describe(const QStringList &nicks)
{
    switch (nicks.size()) {
    case 0:
        return {};
    case 1:
        return tr("%1 is typing…").arg(nicks.at(0));
    case 2:
        return tr("%1 and %2 are typing…").arg(nicks.at(0), nicks.at(1));
    default:
        return tr("Several people are typing…");
    }
}

void TypingIndicator::refresh()
{
    setText(describe(m_presence ? m_presence->typingNicks() : QStringList()));
}

} // namespace Parley::Ui
