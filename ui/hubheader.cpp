#include "ui/hubheader.h"

#include "client/chatsession.h"
#include "client/hubaddress.h"
#include "client/invitelink.h"
#include "protocol/fingerprint.h"
#include "ui/icons.h"

#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QToolButton>
#include <QVBoxLayout>

namespace Parley::Ui {

HubHeader::HubHeader(QWidget *parent)
    : QWidget(parent)
    , m_name(new QLabel(this))
    , m_subtitle(new QLabel(this))
    , m_safety(new QLabel(this))
    , m_stop(new QToolButton(this))
    , m_invite(new QToolButton(this))
    , m_addressBox(new QWidget(this))
    , m_addressLayout(new QVBoxLayout(m_addressBox))
{
    QFont nameFont = m_name->font();
    nameFont.setBold(true);
    nameFont.setPointSizeF(nameFont.pointSizeF() * 1.2);
    m_name->setFont(nameFont);
    m_name->setTextFormat(Qt::PlainText);
    m_subtitle->setForegroundRole(QPalette::PlaceholderText);
    m_subtitle->setTextFormat(Qt::PlainText);
    m_subtitle->setWordWrap(true);
    m_safety->setTextFormat(Qt::PlainText);
    m_safety->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_stop->setIcon(Icons::icon(QStringLiteral("stop"), QPalette::WindowText));
    m_stop->setText(tr("Stop"));
    m_stop->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_stop->setToolTip(tr("Stop hosting: everyone is disconnected"));
    m_stop->setAutoRaise(true);
    connect(m_stop, &QToolButton::clicked, this, &HubHeader::stopHostingRequested);

    // Invite people: a link per address (it carries the certificate's fingerprint, so whoever
    // gets it over a channel they trust joins without comparing codes), or a QR code.
    m_invite->setObjectName(QStringLiteral("inviteButton"));
    m_invite->setIcon(Icons::icon(QStringLiteral("person"), QPalette::WindowText));
    m_invite->setText(tr("Invite people"));
    m_invite->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_invite->setToolTip(tr("Copy an invite link, or show it as a QR code"));
    m_invite->setAutoRaise(true);
    m_invite->setPopupMode(QToolButton::InstantPopup);
    auto *inviteMenu = new QMenu(m_invite);
    inviteMenu->setObjectName(QStringLiteral("inviteMenu"));
    m_invite->setMenu(inviteMenu);
    connect(inviteMenu, &QMenu::aboutToShow, this, &HubHeader::fillInviteMenu);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_name, 1);
    top->addWidget(m_stop);
    m_addressLayout->setContentsMargins(0, 2, 0, 0);
    m_addressLayout->setSpacing(0);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 8, 8);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_subtitle);
    layout->addWidget(m_addressBox);
    layout->addWidget(m_invite, 0, Qt::AlignLeft);
    layout->addWidget(m_safety);
    refresh();
}

QList<Client::InviteLink> HubHeader::inviteLinks() const
{
    QList<Client::InviteLink> links;
    if (!m_hosted || !m_session || m_session->hubId().isEmpty())
        return links;
    const auto linkTo = [this](QUrl mountUrl) {
        Client::InviteLink link;
        mountUrl.setScheme(m_hosted->fingerprint.isEmpty() ? QStringLiteral("ws")
                                                           : QStringLiteral("wss"));
        link.mountUrl = mountUrl;
        link.hubId = m_session->hubId();
        link.fingerprint = m_hosted->fingerprint;
        link.room = m_inviteRoom;
        return link;
    };
    for (const QString &address : std::as_const(m_addresses)) {
        if (const std::optional<QUrl> url = Client::parseHubAddress(address, nullptr))
            links.append(linkTo(*url));
    }
    if (m_hosted->localUrl.isValid())
        links.append(linkTo(m_hosted->localUrl));
    return links;
}

void HubHeader::fillInviteMenu()
{
    QMenu *menu = m_invite->menu();
    menu->clear();
    const QList<Client::InviteLink> links = inviteLinks();
    const QPalette::ColorRole ink = QPalette::WindowText;
    for (const Client::InviteLink &link : links) {
        const bool local = link.mountUrl.host() == QLatin1String("127.0.0.1");
        const QString where = Client::hubAddressText(link.mountUrl);
        QAction *copy
            = menu->addAction(Icons::icon(QStringLiteral("copy"), ink),
                              local ? tr("Copy invite link for this computer only (%1)").arg(where)
                                    : tr("Copy invite link (%1)").arg(where));
        copy->setToolTip(link.room.isEmpty()
                             ? tr("Joins %1").arg(m_name->text())
                             : tr("Joins %1 and opens #%2").arg(m_name->text(), link.room));
        connect(copy, &QAction::triggered, this, [this, text = link.toString()] {
            QApplication::clipboard()->setText(text);
            emit inviteLinkCopied(text);
        });
    }
    if (links.isEmpty()) {
        menu->addAction(tr("The hub is starting…"))->setEnabled(false);
        return;
    }
    menu->addSeparator();
    menu->addAction(tr("Show as a QR code…"), this, [this, links] { emit qrCodeRequested(links); });
}

void HubHeader::setSession(Client::ChatSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (session) {
        connect(session, &Client::ChatSession::hubInfoChanged, this, &HubHeader::refresh);
        connect(session, &Client::ChatSession::connectionStateChanged, this, &HubHeader::refresh);
    }
    refresh();
}

void HubHeader::setHosted(const std::optional<HostedHub> &hosted)
{
    m_hosted = hosted;
    rebuildAddresses();
    refresh();
}

void HubHeader::refresh()
{
    const bool hosting = m_hosted.has_value();
    QString name = m_session ? m_session->hubName() : QString();
    if (name.isEmpty() && hosting)
        name = m_hosted->name;
    if (name.isEmpty())
        name = m_session ? Client::hubAddressText(m_session->hubUrl()) : tr("Not connected");
    m_name->setText(name);
    m_name->setToolTip(m_session ? m_session->hubUrl().toString() : QString());
    m_stop->setVisible(hosting);
    if (hosting) {
        m_subtitle->setText(m_addresses.isEmpty()
                                ? tr("Hosted on this computer. No network is connected: only "
                                     "this computer can join.")
                                : tr("Hosted on this computer. Others join at:"));
    } else {
        // The address under the name, unless the name is the address (not known yet).
        const QString address = m_session ? Client::hubAddressText(m_session->hubUrl()) : QString();
        m_subtitle->setText(address == name ? QString() : address);
    }
    m_subtitle->setVisible(!m_subtitle->text().isEmpty());
    m_addressBox->setVisible(hosting && !m_addresses.isEmpty());
    m_invite->setVisible(hosting);

    const QString fingerprint = hosting ? m_hosted->fingerprint
        : m_session                     ? m_session->pinnedFingerprint()
                                        : QString();
    const bool encrypted = hosting ? !fingerprint.isEmpty()
                                   : m_session && m_session->hubUrl().scheme() == QLatin1String("wss");
    m_safety->setText(safetyText());
    m_safety->setToolTip(encrypted
            ? tr("Connections to this hub are encrypted. Everyone on it sees the same safety code; "
                 "compare it with the host's to be sure nobody listens in.\nSHA-256 fingerprint: %1")
                      .arg(fingerprint)
            : tr("Messages to and from this hub cross the network unencrypted."));
    m_safety->setForegroundRole(encrypted ? QPalette::PlaceholderText : QPalette::Text);
    m_safety->setVisible((hosting || m_session) && !m_safety->text().isEmpty());
}

QString HubHeader::safetyText() const
{
    const bool hosting = m_hosted.has_value();
    if (!hosting && !m_session)
        return {};
    const QString fingerprint = hosting ? m_hosted->fingerprint : m_session->pinnedFingerprint();
    const bool encrypted = hosting ? !fingerprint.isEmpty()
                                   : m_session->hubUrl().scheme() == QLatin1String("wss");
    if (!encrypted)
        return tr("Not encrypted");
    if (fingerprint.isEmpty())
        return {}; // not trusted yet: the trust dialog shows the code
    return tr("Safety code %1").arg(Protocol::Fingerprint::safetyCode(fingerprint));
}

void HubHeader::rebuildAddresses()
{
    while (QLayoutItem *item = m_addressLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    m_addresses = m_hosted ? m_hosted->lanAddresses : QStringList();
    const QPalette::ColorRole ink = QPalette::WindowText;
    for (const QString &address : std::as_const(m_addresses)) {
        auto *row = new QWidget(m_addressBox);
        auto *label = new QLabel(address, row);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        QFont mono = label->font();
        mono.setFamilies({ QStringLiteral("monospace") });
        mono.setStyleHint(QFont::Monospace);
        label->setFont(mono);
        auto *copy = new QToolButton(row);
        copy->setIcon(Icons::icon(QStringLiteral("copy"), ink));
        copy->setToolTip(tr("Copy %1").arg(address));
        copy->setAutoRaise(true);
        connect(copy, &QToolButton::clicked, this, [this, address] {
            QApplication::clipboard()->setText(address);
            emit addressCopied(address);
        });
        auto *rowLayout = new QHBoxLayout(row);
        rowLayout->setContentsMargins(0, 0, 0, 0);
        rowLayout->addWidget(label, 1);
        rowLayout->addWidget(copy);
        m_addressLayout->addWidget(row);
    }
}

} // namespace Parley::Ui
