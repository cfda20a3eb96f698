#include "ui/welcomepane.h"

#include "client/hubaddress.h"
#include "ui/discoverydiagnosis.h"
#include "ui/icons.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace Parley::Ui {

namespace {

// One hub as a card: a small picture, the name in bold with its address beside it, a line of
// details under them, and a Join button. What the caller names and connects is returned.
struct HubCard
{
    QFrame *frame;
    QLabel *detail;
    QPushButton *join;
};

HubCard makeHubCard(QWidget *parent, const QString &objectName, const QPixmap &picture,
                    const QString &name, const QString &address, const QString &detail)
{
    auto *frame = new QFrame(parent);
    frame->setObjectName(objectName);
    frame->setFrameShape(QFrame::StyledPanel);
    frame->setBackgroundRole(QPalette::Base);
    frame->setAutoFillBackground(true);
    auto *leading = new QLabel(frame);
    leading->setPixmap(picture);
    auto *nameLabel = new QLabel(name, frame);
    nameLabel->setTextFormat(Qt::PlainText);
    QFont bold = nameLabel->font();
    bold.setBold(true);
    nameLabel->setFont(bold);
    auto *addressLabel = new QLabel(address, frame);
    addressLabel->setForegroundRole(QPalette::PlaceholderText);
    addressLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *detailLabel = new QLabel(detail, frame);
    detailLabel->setTextFormat(Qt::PlainText);
    detailLabel->setForegroundRole(QPalette::PlaceholderText);
    auto *join = new QPushButton(QCoreApplication::translate("Parley::Ui::WelcomePane", "Join"), frame);

    auto *top = new QHBoxLayout;
    top->setSpacing(8);
    top->addWidget(nameLabel);
    top->addWidget(addressLabel, 1);
    auto *text = new QVBoxLayout;
    text->setSpacing(0);
    text->addLayout(top);
    text->addWidget(detailLabel);
    auto *layout = new QHBoxLayout(frame);
    layout->setContentsMargins(10, 6, 8, 6);
    layout->addWidget(leading);
    layout->addSpacing(4);
    layout->addLayout(text, 1);
    layout->addWidget(join);
    return { frame, detailLabel, join };
}

} // namespace

WelcomePane::WelcomePane(QWidget *parent)
    : QWidget(parent)
    , m_greeting(new QLabel(this))
    , m_status(new QLabel(this))
    , m_list(new QWidget(this))
    , m_listLayout(new QVBoxLayout(m_list))
    , m_rememberedTitle(new QLabel(tr("Hubs you joined before:"), this))
    , m_remembered(new QWidget(this))
    , m_rememberedLayout(new QVBoxLayout(m_remembered))
{
    auto *logo = new QLabel(this);
    logo->setPixmap(Icons::appIcon().pixmap(QSize(64, 64), devicePixelRatioF()));
    logo->setAlignment(Qt::AlignCenter);
    QFont greetingFont = m_greeting->font();
    greetingFont.setPointSizeF(greetingFont.pointSizeF() * 1.5);
    greetingFont.setBold(true);
    m_greeting->setFont(greetingFont);
    m_greeting->setAlignment(Qt::AlignCenter);
    m_greeting->setTextFormat(Qt::PlainText);
    auto *text = new QLabel(tr("Join a hub that is already running on your network, or host one "
                               "on this computer for your team."),
                            this);
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignCenter);
    text->setForegroundRole(QPalette::PlaceholderText);

    m_status->setObjectName(QStringLiteral("discoveryStatus"));
    m_status->setAlignment(Qt::AlignCenter);
    m_status->setWordWrap(true);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_list->setObjectName(QStringLiteral("discoveredHubs"));
    m_listLayout->setContentsMargins(0, 0, 0, 0);
    m_listLayout->setSpacing(6);
    m_rememberedTitle->setAlignment(Qt::AlignCenter);
    m_rememberedTitle->setForegroundRole(QPalette::PlaceholderText);
    m_remembered->setObjectName(QStringLiteral("rememberedHubs"));
    m_rememberedLayout->setContentsMargins(0, 0, 0, 0);
    m_rememberedLayout->setSpacing(6);
    connect(&m_probe, &Client::ReachabilityProbe::changed, this, &WelcomePane::refreshRemembered);

    const QPalette::ColorRole ink = QPalette::ButtonText;
    m_host = new QPushButton(Icons::icon(QStringLiteral("host"), ink),
                             tr("Host a hub on this computer…"), this);
    m_host->setObjectName(QStringLiteral("hostButton"));
    m_join
        = new QPushButton(Icons::icon(QStringLiteral("join"), ink), tr("Join by address…"), this);
    m_join->setObjectName(QStringLiteral("joinByAddressButton"));
    for (QPushButton *button : { m_host, m_join }) {
        button->setIconSize(QSize(20, 20));
        button->setMinimumHeight(36);
    }
    connect(m_host, &QPushButton::clicked, this, &WelcomePane::hostRequested);
    connect(m_join, &QPushButton::clicked, this, &WelcomePane::joinRequested);
    connect(&m_browser, &Client::HubBrowser::hubsChanged, this, &WelcomePane::refresh);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_host);
    buttons->addSpacing(8);
    buttons->addWidget(m_join);

    // One column of fixed width in the middle: wrapped labels need a width to know their height
    // (and a row with stretches, not an alignment, so that the layout asks them).
    auto *column = new QWidget(this);
    column->setFixedWidth(460);
    auto *layout = new QVBoxLayout(column);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(logo);
    layout->addSpacing(8);
    layout->addWidget(m_greeting);
    layout->addWidget(text);
    layout->addSpacing(18);
    layout->addWidget(m_status);
    layout->addWidget(m_list);
    layout->addSpacing(10);
    layout->addWidget(m_rememberedTitle);
    layout->addWidget(m_remembered);
    layout->addSpacing(14);
    layout->addLayout(buttons);

    auto *row = new QHBoxLayout;
    row->addStretch();
    row->addWidget(column);
    row->addStretch();
    auto *outer = new QVBoxLayout(this);
    outer->addStretch(2);
    outer->addLayout(row);
    outer->addStretch(3);
    setNick({});
    refresh();
}

void WelcomePane::setNick(const QString &nick)
{
    m_greeting->setText(nick.isEmpty() ? tr("Welcome to Parley") : tr("Welcome, %1").arg(nick));
}

void WelcomePane::setDiscovery(Client::DiscoveryMode mode)
{
    m_mode = mode;
    m_browser.stop();
    if (isVisible() && mode != Client::DiscoveryMode::Off)
        m_browser.start(mode);
    refresh();
}

void WelcomePane::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_mode != Client::DiscoveryMode::Off && m_browser.mode() == Client::DiscoveryMode::Off)
        m_browser.start(m_mode);
    refresh();
    checkRemembered();
}

void WelcomePane::setRememberedHubs(const QList<RecentHub> &hubs)
{
    m_recent = hubs;
    refreshRemembered();
    if (isVisible())
        checkRemembered();
}

void WelcomePane::checkRemembered()
{
    QList<QUrl> urls;
    for (const RecentHub &hub : std::as_const(m_recent))
        urls += hub.urls;
    m_probe.check(urls);
}

void WelcomePane::setTrustRecords(const Client::TrustRecords &records)
{
    m_trust = records;
    m_shown.clear(); // the cards are made again with what is verified now
    refresh();
}

void WelcomePane::refreshRemembered()
{
    while (QLayoutItem *item = m_rememberedLayout->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    int shown = 0;
    for (const RecentHub &hub : std::as_const(m_recent)) {
        // Listed once, as discovered, if it announces itself as it was verified.
        const bool discovered = std::any_of(
            m_shown.cbegin(), m_shown.cend(), [this, &hub](const Client::DiscoveredHub &found) {
                return !hub.hubId.isEmpty() && found.hubId == hub.hubId
                    && Client::judgeBeacon(found, m_trust) != Client::BeaconTrust::Unverified;
            });
        if (discovered || shown == 4)
            continue;
        m_rememberedLayout->addWidget(rememberedRow(hub));
        ++shown;
    }
    m_rememberedTitle->setVisible(shown > 0);
    m_remembered->setVisible(shown > 0);
}

QWidget *WelcomePane::rememberedRow(const RecentHub &hub)
{
    using State = Client::ReachabilityProbe::State;
    // The address to join: the first that answers, else the last used.
    QUrl url = hub.url();
    State state = State::Unknown;
    for (const QUrl &candidate : hub.urls) {
        const State candidateState = m_probe.stateOf(candidate);
        if (candidateState == State::Reachable) {
            url = candidate;
            state = State::Reachable;
            break;
        }
        if (candidateState == State::Checking || state == State::Unknown)
            state = candidateState;
    }
    QString status = state == State::Reachable ? tr("Answers now")
        : state == State::Unreachable          ? tr("Does not answer now")
        : state == State::Checking             ? tr("Checking…")
                                               : QString();
    if (hub.lastSeenMs > 0) {
        const qint64 days
            = QDateTime::fromMSecsSinceEpoch(hub.lastSeenMs).date().daysTo(QDate::currentDate());
        const QString seen = days <= 0 ? tr("last joined today")
            : days == 1                ? tr("last joined yesterday")
                                       : tr("last joined %1 days ago").arg(days);
        status = status.isEmpty() ? seen : status + QStringLiteral("  ·  ") + seen;
    }
    const QColor dotColor
        = state == State::Reachable ? QColor(0x2e, 0xa0, 0x43) : palette().color(QPalette::Mid);
    const QString name = hub.name.isEmpty() ? Client::hubAddressText(url) : hub.name;
    const HubCard card = makeHubCard(m_remembered, QStringLiteral("rememberedHub"),
                                     Icons::dot(dotColor).pixmap(QSize(12, 12), devicePixelRatioF()),
                                     name, Client::hubAddressText(url), status);
    card.frame->setProperty("hubUrl", url);
    card.detail->setObjectName(QStringLiteral("rememberedStatus"));
    card.join->setObjectName(QStringLiteral("joinRemembered"));
    card.join->setToolTip(tr("Join %1 at %2").arg(name, Client::hubAddressText(url)));
    connect(card.join, &QPushButton::clicked, this, [this, url] { emit rememberedJoinRequested(url); });
    return card.frame;
}

void WelcomePane::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    // Nobody looks: no need to listen. Quietly: the cards are not made again while the window
    // hides (or closes) its children; showEvent() does it.
    const QSignalBlocker quiet(&m_browser);
    m_browser.stop();
}

void WelcomePane::refresh()
{
    const QList<Client::DiscoveredHub> hubs = m_browser.hubs();
    if (hubs != m_shown) {
        m_shown = hubs;
        while (QLayoutItem *item = m_listLayout->takeAt(0)) {
            delete item->widget();
            delete item;
        }
        for (const Client::DiscoveredHub &hub : hubs)
            m_listLayout->addWidget(hubRow(hub));
        refreshRemembered();
    }
    m_list->setVisible(!hubs.isEmpty());
    if (m_mode == Client::DiscoveryMode::Off)
        m_status->setText(tr("Finding hubs on the network is turned off. Host a hub, or join one "
                             "by its address."));
    else if (m_browser.mode() != Client::DiscoveryMode::Off && !m_browser.isListening())
        m_status->setText(tr("Parley cannot look for hubs on the network (%1). Host a hub, or "
                             "join one by its address.")
                              .arg(m_browser.errorString()));
    else if (hubs.isEmpty())
        m_status->setText(tr("No hub found on your network yet. Host one on this computer, or "
                             "join one by its address."));
    else
        m_status->setText(hubs.size() == 1 ? tr("One hub on your network:")
                                           : tr("%1 hubs on your network:").arg(hubs.size()));
    // With hubs around, joining one is the likely choice; without, hosting is.
    m_host->setDefault(hubs.isEmpty());
    m_host->setText(hubs.isEmpty() ? tr("Host a hub on this computer…")
                                   : tr("Host a new hub on this computer…"));
}

QWidget *WelcomePane::hubRow(const Client::DiscoveredHub &hub)
{
    const QPalette::ColorRole ink = QPalette::Text;
    // A beacon that names a hub verified before but does not match it is another hub, whatever
    // it calls itself: said so on its card, and joining it asks first.
    const bool unverified = Client::judgeBeacon(hub, m_trust) == Client::BeaconTrust::Unverified;
    QStringList details { hub.users == 1 ? tr("1 person") : tr("%1 people").arg(hub.users),
                          hub.rooms == 1 ? tr("1 room") : tr("%1 rooms").arg(hub.rooms) };
    if (hub.locked)
        details << tr("needs a password");
    if (unverified)
        details.prepend(tr("unverified"));
    const HubCard card = makeHubCard(m_list, QStringLiteral("discoveredHub"),
                                     Icons::icon(unverified       ? QStringLiteral("warning")
                                                     : hub.locked ? QStringLiteral("lock")
                                                                  : QStringLiteral("host"),
                                                 ink)
                                         .pixmap(QSize(20, 20), devicePixelRatioF()),
                                     hub.name, Client::hubAddressText(hub.mountUrl()),
                                     details.join(QStringLiteral("  ·  ")));
    card.frame->setProperty("unverified", unverified);
    if (unverified)
        card.frame->setToolTip(unverifiedHubExplanation(hub.name));
    card.join->setObjectName(QStringLiteral("joinDiscovered"));
    card.join->setProperty("hubId", hub.hubId);
    card.join->setProperty("hubKey", hub.key());
    card.join->setToolTip(
        unverified
            ? tr("Join %1 (unverified: you are asked to check its safety code)").arg(hub.name)
            : tr("Join %1").arg(hub.name));
    connect(card.join, &QPushButton::clicked, this, [this, hub] { emit discoveredJoinRequested(hub); });
    return card.frame;
}

} // namespace Parley::Ui
