#pragma once

#include <QHash>
#include <QMainWindow>
#include <QMessageBox>
#include <QPointer>

class QLabel;
class QSplitter;
class QStackedWidget;
class QToolButton;

namespace Parley::Client {
class ChatSession;
class Conversation;
struct DiscoveredHub;
} // namespace Parley::Client

namespace Parley::Ui {

class AppSettings;
struct Preferences;
class Composer;
class ConnectionBanner;
class ElidedLabel;
class HubControl;
class HubHeader;
class HubRail;
class IdentityActions;
class IdleWatcher;
class MessageView;
class Notifier;
class OnlineUsersPanel;
class RoomListView;
class RoomNavigator;
class StatusButton;
class TypingIndicator;
class WelcomePane;

// The main window: lays out the hub rail (every hub the app is on), the sidebar of the hub shown
// (hub, rooms, own status), the chat (connection banner, messages, typing line, composer) and
// the people panel, and wires them to the session of the hub shown. It holds no chat logic: the
// sessions and models do, RoomNavigator picks the topic, the HubControl hosts and joins.
// Owned by main() or a test; GUI thread.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(HubControl *hubs, AppSettings *settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    Composer *composer() const { return m_composer; }
    MessageView *messageView() const { return m_messages; }
    RoomListView *roomList() const { return m_rooms; }
    OnlineUsersPanel *usersPanel() const { return m_users; }
    ConnectionBanner *banner() const { return m_banner; }
    HubHeader *hubHeader() const { return m_hubHeader; }
    HubRail *hubRail() const { return m_rail; }
    WelcomePane *welcomePane() const { return m_welcome; }
    RoomNavigator *navigator() const { return m_navigator; }
    IdleWatcher *idleWatcher() const { return m_idle; }
    Notifier *notifier() const { return m_notifier; }
    StatusButton *statusButton() const { return m_status; }
    QLabel *composerCounter() const { return m_counter; }
    IdentityActions *identityActions() const { return m_identity; }

public slots:
    // Opens a parley:// invite link (command line, another instance, a pasted link): joins its
    // hub, or explains why the link cannot be used.
    void openInviteLink(const QString &text);
    // Shown as the user chose in Settings: normal, or minimised.
    void showAtStart();
    // Applies the theme and the notification choices (at start and from Settings).
    void applyPreferences(const Parley::Ui::Preferences &preferences);
    void showHostDialog();
    void showJoinDialog() { showJoinDialogFor({}); }
    // The join dialog with this address already typed.
    void showJoinDialogFor(const QString &address);
    void showCreateRoomDialog();
    void showNicknameDialog();
    void leaveRoom(); // the room shown

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *createSidebar();
    QWidget *createChat();
    void createActions();
    void restoreWindowState();

    void onSessionChanged(Client::ChatSession *session);
    void updateHubHeader();
    void joinDiscovered(const Client::DiscoveredHub &hub);
    QString conversationKey(const Client::Conversation *conversation) const;
    void rememberScrollPosition(); // of the conversation shown
    void onConversationShown(Client::Conversation *conversation, int unread);
    void onIdleChanged(bool idle);
    void updateRoomTitle();
    void updateWindowTitle();
    void send(const QString &body);

    // Dialogs (mainwindowdialogs.cpp).
    void askRoomPassword(const QString &topic, bool wrongPassword);
    void askHubPassword();
    // The hub presented a certificate that is not the trusted one: ask, never accept silently.
    void askToTrustCertificate(Client::ChatSession *session, const QUrl &url,
                               const QString &presented, const QString &pinned);
    void showTrustedHubs();
    void showSettings();
    // Stopping the hosted hub disconnects the others on it: asks first when anyone else is
    // connected ("4 people are connected"). True: go ahead.
    bool confirmStopHosting(const QString &action);
    // The hub reached through an invite link says it is another hub than the link named.
    // A warning in plain text, named (for the tests), not modal, deleted when closed.
    QMessageBox *showWarning(const QString &name, const QString &title, const QString &text,
                             QMessageBox::StandardButtons buttons = QMessageBox::Ok);
    void warnHubClaimsAnother(Client::ChatSession *session, const QString &known);
    // The banner's "Connect without encryption": asks once more, in words, then allows it.
    void confirmUnencrypted();
    void warnInviteMismatch(Client::ChatSession *session, const QString &expectedHubId);
    void deleteMessage(qint64 id);
    void showError(const QString &text);

    HubControl *m_hubs;
    AppSettings *m_settings;
    QPointer<Client::ChatSession> m_session;
    QPointer<Client::Conversation> m_conversation; // the room or dm shown
    QString m_shownKey; // conversationKey() of the one shown
    // Where each room was read scrolled up (AppSettings::scrollPositions(), kept at quit).
    QHash<QString, std::pair<qint64, int>> m_scrollPositions;
    RoomNavigator *m_navigator;
    QSplitter *m_splitter = nullptr;
    HubRail *m_rail = nullptr;
    QWidget *m_railLine = nullptr;
    QWidget *m_sidebar = nullptr;
    HubHeader *m_hubHeader = nullptr;
    RoomListView *m_rooms = nullptr;
    QToolButton *m_newRoom = nullptr;
    StatusButton *m_status = nullptr;
    IdentityActions *m_identity = nullptr;
    QStackedWidget *m_stack = nullptr;
    WelcomePane *m_welcome = nullptr;
    QWidget *m_chat = nullptr;
    ConnectionBanner *m_banner = nullptr;
    ElidedLabel *m_roomTitle = nullptr;
    ElidedLabel *m_roomSubtitle = nullptr;
    MessageView *m_messages = nullptr;
    TypingIndicator *m_typing = nullptr;
    Composer *m_composer = nullptr;
    QToolButton *m_send = nullptr;
    QLabel *m_counter = nullptr; // characters, near the limit
    QLabel *m_editHint = nullptr; // while a message is edited in the composer
    OnlineUsersPanel *m_users = nullptr;
    Notifier *m_notifier = nullptr;
    IdleWatcher *m_idle = nullptr;
    bool m_autoAway = false;
};

} // namespace Parley::Ui
