// MainWindow's dialogs: host, join, new room, nickname, passwords, delete.

#include "client/chatsession.h"
#include "client/conversation.h"
#include "client/hubaddress.h"
#include "client/hubbrowser.h"
#include "client/hublistmodel.h"
#include "client/invitelink.h"
#include "client/presencemodel.h"
#include "client/roomlistmodel.h"
#include "protocol/fingerprint.h"
#include "ui/appsettings.h"
#include "ui/appstyle.h"
#include "ui/createroomdialog.h"
#include "ui/hostdialog.h"
#include "ui/hubcontrol.h"
#include "ui/joindialog.h"
#include "ui/mainwindow.h"
#include "ui/nicknamedialog.h"
#include "ui/notifier.h"
#include "ui/roomnavigator.h"
#include "ui/settingsdialog.h"
#include "ui/statusbutton.h"
#include "ui/trustedhubsdialog.h"
#include "ui/welcomepane.h"

#include <QInputDialog>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>

namespace Parley::Ui {

void MainWindow::showHostDialog()
{
    if (m_hubs->isHosting()
        && QMessageBox::question(this, tr("Host a new hub"),
                                 tr("This computer already hosts “%1”, and hosts one hub at a "
                                    "time. Stop it and start a new one? Everyone connected to it "
                                    "is disconnected; your other hubs stay.")
                                     .arg(m_hubs->hosted().name))
            != QMessageBox::Yes)
        return;
    const HostPreferences preferences = m_settings->hostPreferences();
    HostOptions defaults;
    defaults.name
        = preferences.name.isEmpty() ? tr("%1's hub").arg(m_settings->nick()) : preferences.name;
    defaults.port = preferences.port;
    defaults.announce = preferences.announce;
    HostDialog dialog(defaults, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const HostOptions options = dialog.options();
    m_settings->setHostPreferences({ options.name, options.port, options.announce });
    QString error;
    if (!m_hubs->host(options, &error))
        QMessageBox::warning(this, tr("Cannot host"), tr("The hub did not start: %1").arg(error));
}

void MainWindow::showJoinDialogFor(const QString &address)
{
    JoinDialog dialog(m_settings, m_hubs->discovery(), this);
    dialog.addressEdit()->setText(address);
    if (const Client::ChatSession *own = m_hubs->hubs()->hosted(); own && m_hubs->isHosting()) {
        const HostedHub hosted = m_hubs->hosted();
        dialog.setOwnHub(hosted.announced ? own->hubId() : QString(), hosted.lanAddresses);
    }
    if (dialog.exec() != QDialog::Accepted)
        return;
    // Beside the hubs the app is on: hosting goes on, the others stay.
    if (const std::optional<Client::DiscoveredHub> discovered = dialog.discovered())
        m_hubs->joinDiscovered(*discovered, dialog.password());
    else
        m_hubs->join(dialog.url(), dialog.password());
}

void MainWindow::joinDiscovered(const Client::DiscoveredHub &hub)
{
    QString password;
    if (hub.locked) {
        bool ok = false;
        password = QInputDialog::getText(this, tr("Hub password"),
                                         tr("“%1” needs a password:").arg(hub.name),
                                         QLineEdit::Password, {}, &ok);
        if (!ok)
            return;
    }
    m_hubs->joinDiscovered(hub, password);
}

void MainWindow::showCreateRoomDialog()
{
    if (!m_session)
        return;
    CreateRoomDialog dialog(this);
    const QPointer<Client::ChatSession> session = m_session;
    QString password;
    // The dialog waits for the hub's answer: made, it closes (and the room opens below, with the
    // password just set); refused, it says why and keeps what was typed.
    connect(session.data(), &Client::ChatSession::roomCreated, &dialog, &QDialog::accept);
    connect(session.data(), &Client::ChatSession::roomCreateFailed, &dialog,
            &CreateRoomDialog::showFailure);
    connect(&dialog, &CreateRoomDialog::createRequested, this,
            [session, &password](const QString &name, const QString &title, const QString &wanted) {
                password = wanted;
                if (session)
                    session->createRoom(name, title, wanted);
            });
    QString created;
    connect(session.data(), &Client::ChatSession::roomCreated, &dialog,
            [&created](const QString &name) { created = name; });
    if (dialog.exec() != QDialog::Accepted || !session || created.isEmpty())
        return;
    m_navigator->activate(QStringLiteral("room:") + created,
                          created == dialog.name() ? password : QString());
}

void MainWindow::showNicknameDialog()
{
    NicknameDialog dialog(m_settings->nick(), this);
    if (dialog.exec() != QDialog::Accepted || dialog.nick() == m_settings->nick())
        return;
    m_settings->setNick(dialog.nick());
    m_welcome->setNick(dialog.nick());
    m_status->setIdentity(m_settings->userId(), dialog.nick());
    m_hubs->rejoinAll(); // the nick is a connect parameter
}

void MainWindow::askRoomPassword(const QString &topic, bool wrongPassword)
{
    const QString room = m_session ? m_session->rooms()->entry(topic).title : topic;
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Locked room"));
    dialog->setLabelText(wrongPassword
                             ? tr("That password is not right. Password of “%1”:").arg(room)
                             : tr("“%1” is locked. Password:").arg(room));
    dialog->setTextEchoMode(QLineEdit::Password);
    dialog->setOkButtonText(tr("Join"));
    connect(dialog, &QInputDialog::textValueSelected, m_navigator,
            [this, topic](const QString &password) { m_navigator->activate(topic, password); });
    dialog->open(); // not exec(): we are inside a session signal
}

void MainWindow::askHubPassword()
{
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Hub password"));
    dialog->setLabelText(tr("This hub needs a password:"));
    dialog->setTextEchoMode(QLineEdit::Password);
    dialog->setOkButtonText(tr("Connect"));
    connect(dialog, &QInputDialog::textValueSelected, this,
            [this, session = m_session](const QString &password) {
                if (session)
                    m_hubs->rejoin(session, password);
            });
    dialog->open();
}

void MainWindow::askToTrustCertificate(Client::ChatSession *session, const QUrl &url,
                                       const QString &presented, const QString &pinned)
{
    using Protocol::Fingerprint::safetyCode;
    const QString hub = Client::hubAddressText(url);
    auto *box = new QMessageBox(this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setObjectName(QStringLiteral("trustDialog"));
    QPushButton *trust = nullptr;
    if (pinned.isEmpty()) {
        box->setIcon(QMessageBox::Question);
        box->setWindowTitle(tr("Trust this hub?"));
        box->setText(tr("<p>You have not joined the hub at <b>%1</b> before. Its safety code is</p>"
                        "<p style='font-size:large'><b>%2</b></p>"
                        "<p>Ask the host to read out the safety code shown in their Parley window. "
                        "Trust the hub only if the two match: then nobody can listen in.</p>")
                             .arg(hub.toHtmlEscaped(), safetyCode(presented)));
        trust = box->addButton(tr("Trust and join"), QMessageBox::AcceptRole);
        box->addButton(QMessageBox::Cancel);
        box->setDefaultButton(trust);
    } else {
        box->setIcon(QMessageBox::Warning);
        box->setWindowTitle(tr("The hub's certificate changed"));
        box->setText(tr("<p>The hub at <b>%1</b> did not show the certificate you trusted, so "
                        "Parley did not connect and sent it nothing.</p>"
                        "<p>Trusted: <b>%2</b><br>Now shown: <b>%3</b></p>"
                        "<p>If the host set up the hub again, the new code is expected: compare it "
                        "with the host before you trust it. Otherwise someone on the network may "
                        "be pretending to be the hub.</p>")
                             .arg(hub.toHtmlEscaped(), safetyCode(pinned), safetyCode(presented)));
        trust = box->addButton(tr("Trust the new certificate"), QMessageBox::DestructiveRole);
        QPushButton *keep = box->addButton(tr("Don't connect"), QMessageBox::RejectRole);
        box->setDefaultButton(keep);
    }
    trust->setObjectName(QStringLiteral("trustButton"));
    box->setDetailedText(tr("Fingerprint shown (SHA-256): %1").arg(presented)
                         + (pinned.isEmpty() ? QString() : tr("\nFingerprint trusted (SHA-256): %1").arg(pinned)));
    connect(box, &QMessageBox::buttonClicked, this,
            [this, trust, presented,
             session = QPointer<Client::ChatSession>(session)](QAbstractButton *button) {
                if (button == trust && session)
                    m_hubs->trustCertificate(session, presented);
            });
    box->open(); // not exec(): we are inside a session signal
}

void MainWindow::openInviteLink(const QString &text)
{
    QString error;
    const std::optional<Client::InviteLink> link = Client::InviteLink::parse(text, &error);
    if (!link) {
        showWarning(QStringLiteral("badInviteLink"), tr("Invite link"),
                    tr("This invite link cannot be used: %1").arg(error));
        return;
    }
    raise();
    activateWindow();
    m_hubs->openInvite(*link);
}

QMessageBox *MainWindow::showWarning(const QString &name, const QString &title, const QString &text,
                                     QMessageBox::StandardButtons buttons)
{
    // Plain text: what it quotes (hub names, reasons) comes from the network. Not exec(): these
    // follow session signals.
    auto *box = new QMessageBox(QMessageBox::Warning, title, text, buttons, this);
    box->setObjectName(name);
    box->setTextFormat(Qt::PlainText);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    return box;
}

void MainWindow::warnHubClaimsAnother(Client::ChatSession *session, const QString &known)
{
    showWarning(
        QStringLiteral("hubClaimsAnother"), tr("Not the hub it says it is"),
        tr("The hub at %1 says it is “%2”, which you joined before, but it shows another safety "
           "code. It is another hub, or its host set “%2” up again. Nothing Parley keeps for “%2” "
           "(passwords, rooms to reopen, read places) is used here.\n\nAsk the host whether "
           "their safety code is %3. If it is, trust it in Parley → Trusted hubs.")
            .arg(Client::hubAddressText(session->hubUrl()), known,
                 Protocol::Fingerprint::safetyCode(session->pinnedFingerprint())));
}

void MainWindow::confirmUnencrypted()
{
    if (!m_session)
        return;
    const QPointer<Client::ChatSession> session = m_session;
    const QString address = Client::hubAddressText(session->hubUrl());
    const bool claims = session->refusalReason() == Protocol::Reason::UnverifiedHub;
    QMessageBox *box = claims
        ? showWarning(QStringLiteral("confirmUnencrypted"), tr("Join this hub anyway?"),
                      tr("The hub at %1 has no encryption and says it is a hub you joined at "
                         "another address. Anyone on the network could say so, read what you "
                         "send there and change it.\n\nJoin it only if its host says it moved "
                         "to this address.")
                          .arg(address),
                      QMessageBox::Cancel)
        : showWarning(QStringLiteral("confirmUnencrypted"), tr("Connect without encryption?"),
                      tr("Parley would reach %1 without encryption. Anyone on the network could "
                         "read what you send and receive there, change it, or pretend to be this "
                         "hub, and nothing would show it.\n\nDo this only if the host says "
                         "their hub runs without encryption now. Your passwords kept for it are "
                         "not sent.")
                          .arg(address),
                      QMessageBox::Cancel);
    QPushButton *plain
        = box->addButton(claims ? tr("Join anyway") : tr("Connect without encryption"),
                         QMessageBox::DestructiveRole);
    plain->setObjectName(QStringLiteral("connectUnencrypted"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this,
            [this, plain, session](QAbstractButton *button) {
                if (button == plain && session)
                    m_hubs->allowUnencrypted(session);
            });
}

void MainWindow::warnInviteMismatch(Client::ChatSession *session, const QString &expectedHubId)
{
    Q_UNUSED(expectedHubId);
    showWarning(QStringLiteral("inviteMismatch"), tr("Not the hub of the invite"),
                tr("The hub at %1 is “%2”, not the hub the invite link was made for. It may have "
                   "been set up again since; ask for a new link if you did not mean to join it.")
                    .arg(Client::hubAddressText(session->hubUrl()), session->hubName()));
}

bool MainWindow::confirmStopHosting(const QString &action)
{
    const Client::ChatSession *own = m_hubs->hubs()->hosted();
    if (!own || !m_hubs->isHosting())
        return true;
    // Everyone on the hub but this user (on every device of theirs).
    const Client::PresenceModel *people = own->hubPresence();
    const int others
        = people->userCount() - (people->rowOfUser(own->identity().userId()) >= 0 ? 1 : 0);
    if (others <= 0)
        return true;
    QMessageBox box(
        QMessageBox::Question, action,
        (others == 1
             ? tr("One other person is connected to “%1”.").arg(m_hubs->hosted().name)
             : tr("%1 other people are connected to “%2”.").arg(others).arg(m_hubs->hosted().name))
            + QLatin1Char(' ')
            + tr("They are disconnected when it stops, and their Parley waits for it "
                 "to come back."),
        QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("stopHostingConfirm"));
    QPushButton *stop = box.addButton(tr("Stop the hub"), QMessageBox::DestructiveRole);
    stop->setObjectName(QStringLiteral("stopHostingButton"));
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    return box.clickedButton() == stop;
}

void MainWindow::showTrustedHubs()
{
    TrustedHubsDialog dialog(m_settings, this);
    dialog.exec();
}

void MainWindow::showSettings()
{
    SettingsDialog dialog(m_settings, this);
    connect(&dialog, &SettingsDialog::preferencesChanged, this, &MainWindow::applyPreferences);
    dialog.exec();
}

void MainWindow::applyPreferences(const Preferences &preferences)
{
    AppStyle::applyTheme(preferences.theme);
    m_notifier->setPreferences(preferences);
}

void MainWindow::showAtStart()
{
    if (m_settings->preferences().startMinimised)
        showMinimized();
    else
        show();
}

void MainWindow::deleteMessage(qint64 id)
{
    const QPointer<Client::Conversation> conversation = m_conversation;
    if (QMessageBox::question(this, tr("Delete message"), tr("Delete this message for everyone?"))
            == QMessageBox::Yes
        && conversation)
        conversation->remove(id);
}

void MainWindow::showError(const QString &text)
{
    statusBar()->showMessage(text, 8000);
}

} // namespace Parley::Ui
