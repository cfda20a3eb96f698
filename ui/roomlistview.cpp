#include "ui/roomlistview.h"

#include "client/chatsession.h"
#include "client/roomlistmodel.h"
#include "ui/roomdelegate.h"

#include <QScopedValueRollback>

namespace Parley::Ui {

using Client::RoomListModel;

RoomListView::RoomListView(QWidget *parent)
    : QListView(parent)
{
    setItemDelegate(new RoomDelegate(this));
    setFrameShape(QFrame::NoFrame);
    setMouseTracking(true);
    setAttribute(Qt::WA_Hover);
    setUniformItemSizes(false);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    setMinimumWidth(170);
    // The list blends into the sidebar: it uses the window's background, not a text field's.
    viewport()->setBackgroundRole(QPalette::Window);
    setBackgroundRole(QPalette::Window);
}

void RoomListView::setSession(Client::ChatSession *session)
{
    QScopedValueRollback quiet(m_quiet, true);
    m_wanted.clear();
    setModel(session ? session->rooms() : nullptr);
    if (model()) {
        connect(model(), &QAbstractItemModel::rowsInserted, this, &RoomListView::reselect);
        connect(model(), &QAbstractItemModel::rowsRemoved, this, &RoomListView::reselect);
    }
    if (selectionModel()) {
        connect(selectionModel(), &QItemSelectionModel::currentChanged, this,
                [this](const QModelIndex &current) { onCurrentChanged(current); });
    }
}

void RoomListView::selectTopic(const QString &topic)
{
    m_wanted = topic;
    auto *rooms = qobject_cast<RoomListModel *>(model());
    if (!rooms)
        return;
    const int row = rooms->rowOfTopic(topic);
    if (row < 0 || selectedTopic() == topic)
        return;
    QScopedValueRollback quiet(m_quiet, true);
    const QModelIndex index = rooms->index(row);
    setCurrentIndex(index);
    scrollTo(index);
}

void RoomListView::reselect()
{
    if (!m_wanted.isEmpty())
        selectTopic(m_wanted);
}

QString RoomListView::selectedTopic() const
{
    const QModelIndex current = currentIndex();
    return current.isValid() ? current.data(RoomListModel::TopicRole).toString() : QString();
}

void RoomListView::selectNext()
{
    step(1);
}

void RoomListView::selectPrevious()
{
    step(-1);
}

void RoomListView::step(int delta)
{
    if (!model() || model()->rowCount() == 0)
        return;
    const int count = model()->rowCount();
    const int row = currentIndex().isValid() ? currentIndex().row() : (delta > 0 ? -1 : 0);
    setCurrentIndex(model()->index(((row + delta) % count + count) % count, 0));
}

void RoomListView::onCurrentChanged(const QModelIndex &current)
{
    if (m_quiet || !current.isValid())
        return;
    m_wanted = current.data(RoomListModel::TopicRole).toString();
    emit topicActivated(current.data(RoomListModel::TopicRole).toString());
}

} // namespace Parley::Ui
