#include "ui/onlineuserspanel.h"

#include "client/chatsession.h"
#include "client/presencemodel.h"
#include "ui/timetext.h"
#include "ui/userdelegate.h"

#include <QLabel>
#include <QListView>
#include <QVBoxLayout>

namespace Parley::Ui {

using Client::PresenceModel;

OnlineUsersPanel::OnlineUsersPanel(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_note(new QLabel(this))
    , m_view(new QListView(this))
    , m_delegate(new UserDelegate(this))
{
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setContentsMargins(12, 10, 8, 4);
    m_title->setObjectName(QStringLiteral("presenceTitle"));
    m_note->setObjectName(QStringLiteral("presenceNote"));
    m_note->setContentsMargins(12, 0, 8, 4);
    m_note->setWordWrap(true);
    m_note->setForegroundRole(QPalette::PlaceholderText);
    m_note->hide();

    m_view->setItemDelegate(m_delegate);
    m_view->setFrameShape(QFrame::NoFrame);
    m_view->setMouseTracking(true);
    m_view->setAttribute(Qt::WA_Hover);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->setUniformItemSizes(true);
    m_view->setBackgroundRole(QPalette::Window);
    m_view->viewport()->setBackgroundRole(QPalette::Window);

    m_delegate->setTypingLookup([this](const QString &userId) {
        if (!m_topicPresence)
            return false;
        const int row = m_topicPresence->rowOfUser(userId);
        return row >= 0 && m_topicPresence->entryAt(row).typing;
    });

    connect(m_view, &QListView::doubleClicked, this, [this](const QModelIndex &index) {
        if (!index.data(PresenceModel::IsSelfRole).toBool())
            emit directMessageRequested(index.data(PresenceModel::UserIdRole).toString());
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_title);
    layout->addWidget(m_note);
    layout->addWidget(m_view, 1);
    setMinimumWidth(170);
    updateCount();
}

void OnlineUsersPanel::setSession(Client::ChatSession *session)
{
    if (m_hubPresence)
        disconnect(m_hubPresence, nullptr, this, nullptr);
    m_hubPresence = session ? session->hubPresence() : nullptr;
    m_view->setModel(m_hubPresence);
    if (m_hubPresence) {
        for (auto signal : { &QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved })
            connect(m_hubPresence, signal, this, &OnlineUsersPanel::updateCount);
        connect(m_hubPresence, &QAbstractItemModel::modelReset, this,
                &OnlineUsersPanel::updateCount);
        connect(m_hubPresence, &PresenceModel::summaryChanged, this,
                &OnlineUsersPanel::updateCount);
        connect(m_hubPresence, &PresenceModel::offlineChanged, this,
                &OnlineUsersPanel::updateCount);
    }
    setTopicPresence(nullptr);
    updateCount();
}

void OnlineUsersPanel::setTopicPresence(Client::PresenceModel *presence)
{
    if (m_topicPresence)
        disconnect(m_topicPresence, nullptr, this, nullptr);
    m_topicPresence = presence;
    // Typing changes only repaint: the rows of the hub model are not touched.
    auto repaint = [this] { m_view->viewport()->update(); };
    if (m_topicPresence) {
        connect(m_topicPresence, &QAbstractItemModel::dataChanged, this, repaint);
        connect(m_topicPresence, &QAbstractItemModel::rowsInserted, this, repaint);
        connect(m_topicPresence, &QAbstractItemModel::rowsRemoved, this, repaint);
    }
    repaint();
}

void OnlineUsersPanel::updateCount()
{
    const int count = m_hubPresence ? m_hubPresence->userCount() : 0;
    const qint64 offlineSince = m_hubPresence ? m_hubPresence->offlineSince() : 0;
    if (offlineSince != 0) {
        // Disconnected: the list is what was true then, and says so.
        m_title->setText(count > 0 ? tr("Last known — %L1").arg(count) : tr("Last known"));
        m_note->setText(tr("Offline since %1").arg(shortTime(offlineSince)));
        m_note->setVisible(true);
        return;
    }
    m_title->setText(count > 0 ? tr("On this hub — %L1").arg(count) : tr("On this hub"));
    // A big hub lists its most recently active people only (docs/protocol.md 6, "bounded
    // presence").
    const bool limited = m_hubPresence && m_hubPresence->isLimited();
    m_note->setVisible(limited);
    if (limited)
        m_note->setText(
            tr("Showing the %Ln most recently active", nullptr, m_hubPresence->rowCount()));
}

} // namespace Parley::Ui
