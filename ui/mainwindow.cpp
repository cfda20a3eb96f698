#include "ui/mainwindow.h"

#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/hubaddress.h"
#include "client/hublistmodel.h"
#include "client/messagemodel.h"
#include "client/roomlistmodel.h"
#include "protocol/events.h"
#include "protocol/topics.h"
#include "protocol/validation.h"
#include "ui/appsettings.h"
#include "ui/composer.h"
#include "ui/connectionbanner.h"
#include "ui/elidedlabel.h"
#include "ui/hubcontrol.h"
#include "ui/hubheader.h"
#include "ui/hubrail.h"
#include "ui/icons.h"
#include "ui/identityactions.h"
#include "ui/idlewatcher.h"
#include "ui/inputframe.h"
#include "ui/messageview.h"
#include "ui/notifier.h"
#include "ui/onlineuserspanel.h"
#include "ui/qrcodedialog.h"
#include "ui/roomlistview.h"
#include "ui/roomnavigator.h"
#include "ui/statusbutton.h"
#include "ui/typingindicator.h"
#include "ui/welcomepane.h"

#include <QCloseEvent>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace Parley::Ui {

using Client::ChatSession;
using Client::RoomListModel;

namespace {
QFrame *separator(QWidget *parent, Qt::Orientation orientation = Qt::Horizontal)
{
    auto *line = new QFrame(parent);
    line->setFrameShape(orientation == Qt::Horizontal ? QFrame::HLine : QFrame::VLine);
    line->setFrameShadow(QFrame::Plain);
    line->setForegroundRole(QPalette::Mid);
    return line;
}
} // namespace

MainWindow::MainWindow(HubControl *hubs, AppSettings *settings, QWidget *parent)
    : QMainWindow(parent)
    , m_hubs(hubs)
    , m_settings(settings)
    , m_navigator(new RoomNavigator(settings, this))
    , m_notifier(new Notifier(this, this))
    , m_idle(new IdleWatcher(this))
{
    setWindowIcon(Icons::appIcon());
    m_stack = new QStackedWidget(this);
    m_welcome = new WelcomePane(m_stack);
    m_chat = createChat();
    m_stack->addWidget(m_welcome);
    m_stack->addWidget(m_chat);
    m_users = new OnlineUsersPanel(this);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->addWidget(createSidebar());
    m_splitter->addWidget(m_stack);
    m_splitter->addWidget(m_users);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setStretchFactor(2, 0);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setHandleWidth(1);
    m_splitter->setSizes({ 230, 620, 220 });
    m_rail = new HubRail(this);
    m_rail->setModel(m_hubs->hubs());
    auto *central = new QWidget(this);
    auto *centralLayout = new QHBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(m_rail);
    m_railLine = separator(central, Qt::Vertical);
    centralLayout->addWidget(m_railLine);
    centralLayout->addWidget(m_splitter, 1);
    setCentralWidget(central);
    setMinimumSize(760, 460);
    createActions();
    applyPreferences(m_settings->preferences());

    connect(m_hubs, &HubControl::currentChanged, this, &MainWindow::onSessionChanged);
    connect(m_hubs, &HubControl::certificateRejected, this, &MainWindow::askToTrustCertificate);
    connect(m_hubs, &HubControl::hostingChanged, this, &MainWindow::updateHubHeader);
    connect(m_hubs, &HubControl::passwordsNotKept, this,
            [this](const QString &explanation) { statusBar()->showMessage(explanation, 20000); });
    connect(m_hubs, &HubControl::sessionAdded, m_notifier, &Notifier::watch);
    connect(m_hubs, &HubControl::sessionRemoved, m_notifier, &Notifier::unwatch);
    for (Client::ChatSession *session : m_hubs->hubs()->sessions())
        m_notifier->watch(session);
    const auto hubCountChanged = [this] {
        const int hubs = m_hubs->hubs()->rowCount();
        m_notifier->setShowHubName(hubs > 1);
        m_rail->setVisible(hubs > 0);
        m_railLine->setVisible(hubs > 0);
    };
    connect(m_hubs->hubs(), &QAbstractItemModel::rowsInserted, this, hubCountChanged);
    connect(m_hubs->hubs(), &QAbstractItemModel::rowsRemoved, this, hubCountChanged);
    hubCountChanged();
    connect(m_rail, &HubRail::hubActivated, this,
            [this](ChatSession *session) { m_hubs->setCurrent(session); });
    connect(m_rail, &HubRail::hostRequested, this, &MainWindow::showHostDialog);
    connect(m_rail, &HubRail::joinRequested, this, &MainWindow::showJoinDialog);
    connect(m_navigator, &RoomNavigator::shown, this, &MainWindow::onConversationShown);
    connect(m_navigator, &RoomNavigator::passwordNeeded, this, &MainWindow::askRoomPassword);
    connect(m_navigator, &RoomNavigator::openFailed, this,
            [this](const QString &topic, const QString &reason) {
                showError(tr("Could not open %1: %2").arg(topic, reason));
            });
    connect(m_rooms, &RoomListView::topicActivated, m_navigator,
            [this](const QString &topic) { m_navigator->activate(topic); });
    connect(m_users, &OnlineUsersPanel::directMessageRequested, this,
            [this](const QString &userId) {
                if (m_session)
                    m_navigator->activate(m_session->dmTopicWith(userId));
            });
    connect(m_composer, &Composer::submitted, this, &MainWindow::send);
    connect(m_composer, &Composer::typingChanged, this, [this](bool typing) {
        if (m_conversation)
            m_conversation->setTyping(typing);
    });
    connect(m_messages, &MessageView::olderRequested, this, [this] {
        if (m_conversation)
            m_conversation->loadOlder();
    });
    // Editing happens in the composer: from a message's menu, or Up in an empty composer.
    connect(m_messages, &MessageView::editRequested, m_composer, &Composer::beginEdit);
    connect(m_composer, &Composer::editLastRequested, this, [this] {
        const Client::MessageModel *messages
            = m_conversation ? m_conversation->messages() : nullptr;
        for (int row = messages ? messages->rowCount() - 1 : -1; row >= 0; --row) {
            const Client::ChatMessage message = messages->messageAt(row);
            if (message.userId == m_settings->userId() && message.id > 0 && !message.deleted) {
                m_composer->beginEdit(message.id, message.body);
                return;
            }
        }
    });
    connect(m_composer, &Composer::editSubmitted, this, [this](qint64 id, const QString &body) {
        if (const QString problem = Client::Conversation::bodyProblem(body); !problem.isEmpty()) {
            showError(problem);
            return;
        }
        if (m_conversation)
            m_conversation->edit(id, body);
    });
    connect(m_messages, &MessageView::deleteRequested, this, &MainWindow::deleteMessage);
    connect(m_messages, &MessageView::typedWhileReading, this, [this](QKeyEvent *event) {
        m_composer->setFocus(Qt::OtherFocusReason);
        QCoreApplication::sendEvent(m_composer, event);
    });
    connect(m_messages, &MessageView::retryRequested, this, [this](const QString &clientId) {
        if (m_conversation)
            m_conversation->retry(clientId);
    });
    connect(m_status, &StatusButton::statusChosen, this, [this](const QString &status) {
        m_autoAway = false;
        m_settings->setStatus(status); // kept for the next start (an automatic away is not)
        m_hubs->setStatus(status); // one person, one status on every hub
    });
    m_identity = new IdentityActions(m_settings, m_hubs, this);
    connect(m_status, &StatusButton::exportIdentityRequested, m_identity, &IdentityActions::exportIdentity);
    connect(m_status, &StatusButton::importIdentityRequested, m_identity, &IdentityActions::importIdentity);
    connect(m_identity, &IdentityActions::identityChanged, this,
            [this] { m_status->setIdentity(m_settings->userId(), m_settings->nick()); });
    connect(m_idle, &IdleWatcher::idleChanged, this, &MainWindow::onIdleChanged);
    connect(m_banner, &ConnectionBanner::passwordRequested, this, &MainWindow::askHubPassword);
    connect(m_banner, &ConnectionBanner::unencryptedRequested, this,
            &MainWindow::confirmUnencrypted);
    connect(m_banner, &ConnectionBanner::retryRequested, this, [this] {
        if (m_session)
            m_hubs->rejoin(m_session);
    });
    connect(m_banner, &ConnectionBanner::backRequested, this, [this] {
        // A hub never reached: leave it, and ask again with the address to fix.
        if (!m_session)
            return;
        const QString address = Client::hubAddressText(m_session->hubUrl());
        m_hubs->leave(m_session);
        QTimer::singleShot(0, this, [this, address] { showJoinDialogFor(address); });
    });
    connect(m_hubHeader, &HubHeader::stopHostingRequested, this, [this] {
        if (confirmStopHosting(tr("Stop hosting")))
            m_hubs->stopHosting();
    });
    connect(m_hubHeader, &HubHeader::inviteLinkCopied, this,
            [this] { statusBar()->showMessage(tr("Invite link copied"), 4000); });
    connect(m_hubHeader, &HubHeader::qrCodeRequested, this,
            [this](const QList<Client::InviteLink> &links) {
                auto *dialog
                    = new QrCodeDialog(m_session ? m_session->hubName() : QString(), links, this);
                dialog->setAttribute(Qt::WA_DeleteOnClose);
                dialog->open();
            });
    connect(m_hubs, &HubControl::topicRequested, this,
            [this](ChatSession *session, const QString &topic) {
                if (session == m_session)
                    m_navigator->activate(topic);
            });
    connect(m_hubs, &HubControl::inviteMismatch, this, &MainWindow::warnInviteMismatch);
    connect(m_hubs, &HubControl::hubClaimsAnother, this, &MainWindow::warnHubClaimsAnother);
    connect(m_welcome, &WelcomePane::hostRequested, this, &MainWindow::showHostDialog);
    connect(m_welcome, &WelcomePane::joinRequested, this, &MainWindow::showJoinDialog);
    connect(m_welcome, &WelcomePane::discoveredJoinRequested, this, &MainWindow::joinDiscovered);
    connect(m_welcome, &WelcomePane::rememberedJoinRequested, this,
            [this](const QUrl &url) { m_hubs->join(url); });

    m_welcome->setNick(m_settings->nick());
    m_welcome->setDiscovery(m_hubs->discovery());
    m_status->setIdentity(m_settings->userId(), m_settings->nick());
    m_status->setStatus(m_settings->status());
    m_hubs->setStatus(m_settings->status());
    m_composer->setDrafts(m_settings->drafts());
    m_scrollPositions = m_settings->scrollPositions();
    onSessionChanged(m_hubs->session());
    restoreWindowState();
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::createSidebar()
{
    auto *sidebar = new QWidget(this);
    sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar = sidebar;
    m_hubHeader = new HubHeader(sidebar);
    m_rooms = new RoomListView(sidebar);
    m_status = new StatusButton(sidebar);

    auto *roomsLabel = new QLabel(tr("Rooms"), sidebar);
    QFont labelFont = roomsLabel->font();
    labelFont.setBold(true);
    labelFont.setPointSizeF(labelFont.pointSizeF() * 0.85);
    roomsLabel->setFont(labelFont);
    roomsLabel->setForegroundRole(QPalette::PlaceholderText);
    m_newRoom = new QToolButton(sidebar);
    m_newRoom->setIcon(Icons::icon(QStringLiteral("plus"), QPalette::WindowText));
    m_newRoom->setToolTip(tr("New room (Ctrl+N)"));
    m_newRoom->setAutoRaise(true);
    connect(m_newRoom, &QToolButton::clicked, this, &MainWindow::showCreateRoomDialog);
    auto *roomsRow = new QHBoxLayout;
    roomsRow->setContentsMargins(14, 6, 6, 0);
    roomsRow->addWidget(roomsLabel, 1);
    roomsRow->addWidget(m_newRoom);

    auto *layout = new QVBoxLayout(sidebar);
    layout->setContentsMargins(0, 0, 0, 4);
    layout->setSpacing(0);
    layout->addWidget(m_hubHeader);
    layout->addWidget(separator(sidebar));
    layout->addLayout(roomsRow);
    layout->addWidget(m_rooms, 1);
    layout->addWidget(separator(sidebar));
    layout->addWidget(m_status);
    return sidebar;
}

QWidget *MainWindow::createChat()
{
    auto *chat = new QWidget(m_stack);
    chat->setBackgroundRole(QPalette::Base); // the chat reads as one page, the side panels frame it
    chat->setAutoFillBackground(true);
    m_banner = new ConnectionBanner(chat);
    m_roomTitle = new ElidedLabel(chat);
    m_roomTitle->setObjectName(QStringLiteral("roomTitle"));
    m_roomSubtitle = new ElidedLabel(chat);
    m_roomSubtitle->setObjectName(QStringLiteral("roomSubtitle"));
    m_messages = new MessageView(chat);
    m_typing = new TypingIndicator(chat);
    m_composer = new Composer(chat);
    m_send = new QToolButton(chat);

    QFont titleFont = m_roomTitle->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    m_roomTitle->setFont(titleFont);
    m_roomSubtitle->setForegroundRole(QPalette::PlaceholderText);
    auto *header = new QHBoxLayout;
    header->setContentsMargins(16, 10, 16, 10);
    header->setSpacing(10);
    // Narrow, the details give way first, then the title; both are cut at a whole letter.
    header->addWidget(m_roomTitle, 0);
    header->addWidget(m_roomSubtitle, 1);
    m_roomSubtitle->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);

    m_send->setIcon(Icons::icon(QStringLiteral("send"), QPalette::ButtonText));
    m_send->setIconSize(QSize(20, 20));
    m_send->setToolTip(tr("Send (Enter)"));
    m_send->setAutoRaise(true);
    connect(m_send, &QToolButton::clicked, this, [this] {
        QKeyEvent enter(QEvent::KeyPress, Qt::Key_Return, Qt::NoModifier);
        QCoreApplication::sendEvent(m_composer, &enter);
    });
    m_counter = new QLabel(chat);
    m_counter->setObjectName(QStringLiteral("composerCounter"));
    m_counter->hide();
    connect(m_composer, &Composer::textChanged, m_send, [this] {
        const QString text = m_composer->toPlainText().trimmed();
        m_send->setEnabled(!text.isEmpty());
        // Near the hub's limit, count: characters as the hub counts them (code points).
        const qsizetype length = text.toUcs4().size();
        m_counter->setVisible(length > Protocol::maxBodyLength - 500);
        if (m_counter->isVisible()) {
            m_counter->setText(tr("%L1 / %L2").arg(length).arg(Protocol::maxBodyLength));
            m_counter->setStyleSheet(
                length > Protocol::maxBodyLength ? QStringLiteral("color: #d93025;") : QString());
        }
    });
    m_send->setEnabled(false);
    auto *input = new InputFrame(chat);
    m_composer->setParent(input);
    m_send->setParent(input);
    m_composer->setFrameShape(QFrame::NoFrame);
    m_composer->viewport()->setAutoFillBackground(false);
    auto *inputLayout = new QHBoxLayout(input);
    inputLayout->setContentsMargins(6, 3, 4, 3);
    inputLayout->setSpacing(4);
    inputLayout->addWidget(m_composer, 1);
    inputLayout->addWidget(m_counter, 0, Qt::AlignBottom);
    inputLayout->addWidget(m_send, 0, Qt::AlignBottom);
    m_editHint = new QLabel(tr("Editing your message — Enter saves, Esc cancels"), chat);
    m_editHint->setObjectName(QStringLiteral("editHint"));
    m_editHint->setForegroundRole(QPalette::PlaceholderText);
    m_editHint->setContentsMargins(16, 0, 16, 2);
    m_editHint->hide();
    connect(m_composer, &Composer::editingChanged, m_editHint, &QWidget::setVisible);
    auto *composerRow = new QHBoxLayout;
    composerRow->setContentsMargins(14, 0, 14, 12);
    composerRow->addWidget(input);

    auto *layout = new QVBoxLayout(chat);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_banner);
    layout->addLayout(header);
    layout->addWidget(separator(chat));
    layout->addWidget(m_messages, 1);
    layout->addWidget(m_typing);
    layout->addWidget(m_editHint);
    layout->addLayout(composerRow);
    return chat;
}

void MainWindow::createActions()
{
    const QPalette::ColorRole ink = QPalette::WindowText;
    QMenu *hub = menuBar()->addMenu(tr("&Parley"));
    hub->addAction(Icons::icon(QStringLiteral("host"), ink), tr("&Host a hub…"),
                   QKeySequence(tr("Ctrl+Shift+H")), this, &MainWindow::showHostDialog);
    hub->addAction(Icons::icon(QStringLiteral("join"), ink), tr("&Join a hub…"),
                   QKeySequence(tr("Ctrl+J")), this, &MainWindow::showJoinDialog);
    hub->addAction(Icons::icon(QStringLiteral("leave"), ink), tr("&Leave this hub"), this, [this] {
        if (!m_session)
            return;
        if (m_hubs->hubs()->isHosted(m_session)
            && !confirmStopHosting(tr("Leave and stop the hub")))
            return;
        m_hubs->leave(m_session);
    });
    hub->addAction(tr("Ne&xt hub"), QKeySequence(tr("Ctrl+Alt+PgDown")), this, [this] {
        const Client::HubListModel *hubs = m_hubs->hubs();
        if (hubs->rowCount() > 1)
            m_hubs->setCurrent(hubs->sessionAt((hubs->rowOf(m_session) + 1) % hubs->rowCount()));
    });
    hub->addAction(tr("Pre&vious hub"), QKeySequence(tr("Ctrl+Alt+PgUp")), this, [this] {
        const Client::HubListModel *hubs = m_hubs->hubs();
        if (hubs->rowCount() > 1)
            m_hubs->setCurrent(hubs->sessionAt((hubs->rowOf(m_session) + hubs->rowCount() - 1)
                                               % hubs->rowCount()));
    });
    hub->addSeparator();
    hub->addAction(Icons::icon(QStringLiteral("person"), ink), tr("Change &nickname…"), this,
                   &MainWindow::showNicknameDialog);
    hub->addAction(tr("&Trusted hubs…"), this, &MainWindow::showTrustedHubs);
    QAction *settings = hub->addAction(tr("&Settings…"), QKeySequence::Preferences, this,
                                       &MainWindow::showSettings);
    settings->setMenuRole(QAction::PreferencesRole);
    hub->addSeparator();
    QAction *quit = hub->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *room = menuBar()->addMenu(tr("&Room"));
    room->addAction(Icons::icon(QStringLiteral("plus"), ink), tr("&New room…"),
                    QKeySequence(tr("Ctrl+N")), this, &MainWindow::showCreateRoomDialog);
    room->addAction(Icons::icon(QStringLiteral("leave"), ink), tr("&Leave this room"),
                    QKeySequence(tr("Ctrl+W")), this, &MainWindow::leaveRoom);
    room->addSeparator();
    room->addAction(tr("Ne&xt room"), QKeySequence(tr("Ctrl+PgDown")), m_rooms,
                    &RoomListView::selectNext);
    room->addAction(tr("&Previous room"), QKeySequence(tr("Ctrl+PgUp")), m_rooms,
                    &RoomListView::selectPrevious);
    room->addAction(tr("&Write a message"), QKeySequence(tr("Ctrl+L")), this,
                    [this] { m_composer->setFocus(Qt::ShortcutFocusReason); });
}

void MainWindow::restoreWindowState()
{
    if (!restoreGeometry(m_settings->value(QStringLiteral("geometry"))))
        resize(1100, 700);
    m_splitter->restoreState(m_settings->value(QStringLiteral("splitter")));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!confirmStopHosting(tr("Quit Parley"))) {
        event->ignore();
        return;
    }
    m_settings->setValue(QStringLiteral("geometry"), saveGeometry());
    m_settings->setValue(QStringLiteral("splitter"), m_splitter->saveState());
    m_settings->setDrafts(m_composer->drafts());
    rememberScrollPosition();
    m_settings->setScrollPositions(m_scrollPositions);
    m_settings->sync();
    QMainWindow::closeEvent(event);
}

void MainWindow::onSessionChanged(ChatSession *session)
{
    if (session && session == m_session)
        return;
    if (m_session) {
        disconnect(m_session, nullptr, this, nullptr);
        disconnect(m_session->rooms(), nullptr, this, nullptr);
        // A hub in the background has no room open: what arrives there counts as unread.
        m_session->setCurrentTopic({});
    }
    m_session = session;
    m_banner->setSession(session);
    m_hubHeader->setSession(session);
    updateHubHeader();
    m_rooms->setSession(session);
    m_users->setSession(session);
    if (!session) {
        m_welcome->setTrustRecords(m_settings->trustRecords());
        m_welcome->setRememberedHubs(m_settings->recentHubs());
    }
    m_stack->setCurrentWidget(session ? m_chat : m_welcome);
    // Without a hub the welcome pane is the whole window: no empty sidebar or people panel.
    m_users->setVisible(session != nullptr);
    m_sidebar->setVisible(session != nullptr);
    m_newRoom->setEnabled(session != nullptr);
    if (session) {
        connect(session, &ChatSession::hubInfoChanged, this, &MainWindow::updateWindowTitle);
        connect(session, &ChatSession::hubInfoChanged, this, &MainWindow::updateRoomTitle);
        connect(session, &ChatSession::connectionStateChanged, this, &MainWindow::updateRoomTitle);
        connect(session->rooms(), &QAbstractItemModel::dataChanged, this,
                &MainWindow::updateRoomTitle);
        connect(session, &ChatSession::errorOccurred, this, &MainWindow::showError);
    }
    m_navigator->setSession(session);
    updateWindowTitle();
}

void MainWindow::updateHubHeader()
{
    const bool hosted = m_hubs->isHosting() && m_hubs->hubs()->isHosted(m_session);
    m_hubHeader->setHosted(hosted ? std::optional<HostedHub>(m_hubs->hosted()) : std::nullopt);
}

QString MainWindow::conversationKey(const Client::Conversation *conversation) const
{
    // Per hub (as verified: its trust key) and room: two hubs' #general keep their own draft
    // and place, and a hub that claims to be another gets none of the other's.
    return conversation && m_session && !m_session->trustKey().isEmpty()
        ? m_session->trustKey() + QLatin1Char(' ') + conversation->topic()
        : QString();
}

void MainWindow::rememberScrollPosition()
{
    if (m_shownKey.isEmpty() || !m_messages->messages())
        return;
    const MessageView::ScrollPosition position = m_messages->scrollPosition();
    if (position.topId == 0)
        m_scrollPositions.remove(m_shownKey);
    else
        m_scrollPositions.insert(m_shownKey, { position.topId, position.offset });
}

void MainWindow::onConversationShown(Client::Conversation *conversation, int unread)
{
    rememberScrollPosition();
    m_conversation = conversation;
    m_shownKey = conversationKey(conversation);
    m_messages->setMessages(conversation ? conversation->messages() : nullptr, unread);
    // Back where the user was reading, unless there is something new to catch up on (then the
    // view is at the bottom with "Jump to first unread").
    if (const auto it = m_scrollPositions.constFind(m_shownKey);
        unread == 0 && it != m_scrollPositions.cend())
        m_messages->restoreScrollPosition({ it->first, it->second });
    // A room restored at start, its messages still on their way: the line goes after what was
    // read in the last run.
    if (conversation && m_session && unread == 0 && conversation->messages()->rowCount() == 0)
        m_messages->setNewMarkerAfter(m_session->readPosition(conversation->topic()));
    m_users->setTopicPresence(conversation ? conversation->presence() : nullptr);
    m_typing->setPresence(conversation ? conversation->presence() : nullptr);
    m_composer->setTopic(conversation ? conversation->topic() : QString(), QString(), m_shownKey);
    // An invite link from the header opens the room shown (never a dm).
    m_hubHeader->setInviteRoom(conversation && !conversation->isDm()
                                   ? Protocol::roomNameOf(conversation->topic())
                                   : QString());
    if (conversation) {
        m_rooms->selectTopic(conversation->topic());
        m_composer->setFocus(Qt::OtherFocusReason);
    }
    updateRoomTitle();
}

void MainWindow::updateRoomTitle()
{
    const QString topic = m_navigator->currentTopic();
    if (!m_session || topic.isEmpty()) {
        // Before the hub ever answered there are no rooms to pick yet.
        const bool reached = m_session && !m_session->hubId().isEmpty();
        m_roomTitle->setText(!m_session    ? QString()
                                 : reached ? tr("No room open")
                                           : tr("Not connected yet"));
        m_roomSubtitle->setText(!m_session    ? QString()
                                    : reached ? tr("Pick a room on the left, or create one.")
                                              : tr("The rooms appear once the hub answers."));
        return;
    }
    const Client::RoomEntry room = m_session->rooms()->entry(topic);
    const QString name = room.name.isEmpty() ? topic.section(QLatin1Char(':'), 1) : room.name;
    if (room.isDm) {
        m_roomTitle->setText(room.title);
        m_roomSubtitle->setText(tr("Direct messages"));
        m_composer->setPlaceholderText(tr("Message %1").arg(room.title));
        return;
    }
    m_composer->setPlaceholderText(tr("Message #%1").arg(name));
    m_roomTitle->setText(room.title.isEmpty() ? topic : room.title);
    QStringList details { QStringLiteral("#") + name };
    if (room.members > 0)
        details << (m_session->connectionState() == ChatSession::ConnectionState::Connected
                        ? tr("%n here", nullptr, room.members)
                        : tr("%n here (last known)", nullptr, room.members));
    if (room.locked)
        details << tr("password protected");
    m_roomSubtitle->setText(details.join(QStringLiteral("  ·  ")));
}

void MainWindow::updateWindowTitle()
{
    const QString hub = m_session ? m_session->hubName() : QString();
    setWindowTitle(hub.isEmpty() ? QStringLiteral("Parley") : tr("%1 — Parley").arg(hub));
}

void MainWindow::send(const QString &body)
{
    if (!m_conversation)
        return;
    if (const QString problem = Client::Conversation::bodyProblem(body); !problem.isEmpty()) {
        // The hub would refuse it and no retry could help: give the text back to be fixed.
        showError(problem);
        m_composer->setPlainText(body);
        m_composer->moveCursor(QTextCursor::End);
        return;
    }
    m_conversation->send(body);
    statusBar()->clearMessage(); // an error about an earlier attempt no longer applies
    m_messages->clearNewMarker();
    m_messages->scrollToBottom();
}

void MainWindow::leaveRoom()
{
    // Leaves the room shown (its messages stay on the hub); the room the user was in before is
    // shown, else #general. Not reopened at the next start.
    const QString topic = m_navigator->currentTopic();
    if (!m_session || topic.isEmpty())
        return;
    m_hubs->leaveRoom(m_session, topic);
    if (m_navigator->currentTopic().isEmpty() && topic != RoomNavigator::defaultTopic())
        m_navigator->activate(RoomNavigator::defaultTopic());
}

void MainWindow::onIdleChanged(bool idle)
{
    if (idle && m_status->status() == Protocol::Status::Online) {
        m_autoAway = true;
        m_hubs->setStatus(Protocol::Status::Away);
        m_status->setStatus(QString(Protocol::Status::Away));
    } else if (!idle && m_autoAway) {
        m_autoAway = false;
        m_hubs->setStatus(QString(Protocol::Status::Online));
        m_status->setStatus(QString(Protocol::Status::Online));
    }
}

} // namespace Parley::Ui
