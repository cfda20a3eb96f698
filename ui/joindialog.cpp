#include "ui/joindialog.h"

#include "client/hubaddress.h"
#include "ui/appsettings.h"
#include "ui/discoverydiagnosis.h"
#include "ui/icons.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFrame>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Parley::Ui {

namespace {
enum Column { NameColumn, AddressColumn, UsersColumn, RoomsColumn };
constexpr int KeyRole = Qt::UserRole; // DiscoveredHub::key()
constexpr int AddressRole = Qt::UserRole + 1;
constexpr int LockedRole = Qt::UserRole + 2;
constexpr int NameRole = Qt::UserRole + 3;
constexpr int UrlRole = Qt::UserRole + 4;
} // namespace

JoinDialog::JoinDialog(AppSettings *settings, Client::DiscoveryMode discovery, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_discovered(new QTreeWidget(this))
    , m_discoveryStatus(new QLabel(this))
    , m_recent(new QListWidget(this))
    , m_address(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_why(new QToolButton(this))
    , m_diagnosisBox(new QFrame(this))
    , m_diagnosis(new QLabel(m_diagnosisBox))
    , m_includeVirtual(new QCheckBox(tr("Also look on VPN and virtual adapters"), m_diagnosisBox))
    , m_lastPort(settings->hostPreferences().port ? settings->hostPreferences().port
                                                  : Client::defaultHubPort)
{
    setWindowTitle(tr("Join a hub"));
    setWindowIcon(Icons::appIcon());
    const QPalette::ColorRole ink = QPalette::WindowText;

    auto *discoveredTitle = new QLabel(tr("<b>Hubs on your network</b>"), this);
    auto *refresh = new QToolButton(this);
    refresh->setIcon(Icons::icon(QStringLiteral("refresh"), ink));
    refresh->setToolTip(tr("Ask every hub on the network to answer now"));
    refresh->setAutoRaise(true);
    connect(refresh, &QToolButton::clicked, &m_browser, &Client::HubBrowser::query);
    auto *titleRow = new QHBoxLayout;
    titleRow->addWidget(discoveredTitle);
    titleRow->addStretch();
    titleRow->addWidget(m_discoveryStatus);
    titleRow->addWidget(refresh);
    m_discoveryStatus->setForegroundRole(QPalette::PlaceholderText);

    m_discovered->setHeaderLabels({ tr("Name"), tr("Address"), tr("People"), tr("Rooms") });
    m_discovered->setRootIsDecorated(false);
    m_discovered->setUniformRowHeights(true);
    m_discovered->setAllColumnsShowFocus(true);
    m_discovered->header()->setStretchLastSection(false);
    m_discovered->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    for (int column : { AddressColumn, UsersColumn, RoomsColumn })
        m_discovered->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_discovered->setMinimumHeight(120);

    // Why is no hub listed: what was checked, in words, and what to try.
    m_why->setText(tr("Why is no hub listed?"));
    m_why->setObjectName(QStringLiteral("whyNoHub"));
    m_why->setCheckable(true);
    m_why->setAutoRaise(true);
    m_why->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_diagnosisBox->setObjectName(QStringLiteral("discoveryDiagnosis"));
    m_diagnosisBox->setFrameShape(QFrame::StyledPanel);
    m_diagnosis->setWordWrap(true);
    m_diagnosis->setTextFormat(Qt::PlainText);
    m_diagnosis->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_includeVirtual->setObjectName(QStringLiteral("includeVirtual"));
    auto *tryAddress = new QPushButton(tr("Try an address…"), m_diagnosisBox);
    tryAddress->setObjectName(QStringLiteral("tryAddress"));
    connect(tryAddress, &QPushButton::clicked, this, [this] {
        // The host's address is the part the user knows; the port is the usual one.
        if (m_address->text().trimmed().isEmpty()) {
            m_address->setText(QStringLiteral(":%1").arg(m_lastPort));
            m_address->setCursorPosition(0);
        }
        m_address->setFocus();
    });
    auto *diagnosisLayout = new QVBoxLayout(m_diagnosisBox);
    diagnosisLayout->addWidget(m_diagnosis);
    auto *diagnosisButtons = new QHBoxLayout;
    diagnosisButtons->addWidget(m_includeVirtual);
    diagnosisButtons->addStretch(1);
    diagnosisButtons->addWidget(tryAddress);
    diagnosisLayout->addLayout(diagnosisButtons);
    m_diagnosisBox->hide();
    connect(m_why, &QToolButton::toggled, this, [this](bool shown) {
        m_diagnosisOpened = m_diagnosisOpened || shown;
        m_diagnosisBox->setVisible(shown);
        updateDiagnosis();
    });
    connect(m_includeVirtual, &QCheckBox::toggled, &m_browser,
            &Client::HubBrowser::setIncludeVirtual);
    connect(m_includeVirtual, &QCheckBox::toggled, this, &JoinDialog::updateDiagnosis);

    auto *recentTitle = new QLabel(tr("<b>Recent hubs</b>"), this);
    QList<QUrl> recentUrls;
    for (const RecentHub &hub : settings->recentHubs()) {
        auto *item = new QListWidgetItem(m_recent);
        item->setData(NameRole,
                      QStringLiteral("%1 — %2").arg(hub.name, Client::hubAddressText(hub.url())));
        item->setData(UrlRole, hub.url());
        // A plain hub keeps its scheme: a bare address means wss://.
        item->setData(AddressRole,
                      hub.url().scheme() == QLatin1String("ws")
                          ? QStringLiteral("ws://") + Client::hubAddressText(hub.url())
                          : Client::hubAddressText(hub.url()));
        recentUrls.append(hub.url());
    }
    // Whether they answer now: a TCP connect to their last used address, nothing sent.
    connect(&m_probe, &Client::ReachabilityProbe::changed, this, &JoinDialog::updateRecent);
    m_probe.check(recentUrls);
    updateRecent();
    m_recent->setMaximumHeight(m_recent->sizeHintForRow(0) > 0 ? m_recent->sizeHintForRow(0) * 4 + 6
                                                               : 90);
    recentTitle->setVisible(m_recent->count() > 0);
    m_recent->setVisible(m_recent->count() > 0);

    m_address->setPlaceholderText(tr("host:port, e.g. 192.168.1.20:4000"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("Only for hubs with a lock"));
    m_error->setForegroundRole(QPalette::PlaceholderText);
    m_error->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("&Address:"), m_address);
    form->addRow(tr("Hub pass&word:"), m_password);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_join = buttons->button(QDialogButtonBox::Ok);
    m_join->setText(tr("Join"));
    m_join->setIcon(Icons::icon(QStringLiteral("join"), QPalette::ButtonText));
    connect(buttons, &QDialogButtonBox::accepted, this, &JoinDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(titleRow);
    layout->addWidget(m_discovered, 1);
    layout->addWidget(m_why, 0, Qt::AlignLeft);
    layout->addWidget(m_diagnosisBox);
    layout->addWidget(recentTitle);
    layout->addWidget(m_recent);
    layout->addSpacing(4);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    setMinimumSize(480, 380);

    // Choosing a hub in either list fills the address; a double-click joins at once.
    connect(m_discovered, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (!item)
            return;
        m_address->setText(item->data(NameColumn, AddressRole).toString());
        if (item->data(NameColumn, LockedRole).toBool())
            m_password->setFocus();
    });
    connect(m_discovered, &QTreeWidget::itemDoubleClicked, this, &JoinDialog::accept);
    connect(m_recent, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (item)
            m_address->setText(item->data(AddressRole).toString());
    });
    connect(m_recent, &QListWidget::itemDoubleClicked, this, &JoinDialog::accept);
    connect(m_address, &QLineEdit::textChanged, this, [this] {
        m_error->clear();
        m_join->setEnabled(!m_address->text().trimmed().isEmpty());
    });
    m_join->setEnabled(false);

    connect(&m_browser, &Client::HubBrowser::hubsChanged, this, &JoinDialog::refreshDiscovered);
    m_browser.start(discovery);
    m_includeVirtual->setVisible(discovery == Client::DiscoveryMode::Lan);
    m_searching.start();
    m_interfaces = Client::localAddresses(); // not on every tick: it asks the kernel each time
    m_tick.setInterval(500);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        if (!m_diagnosisOpened && m_browser.hubs().isEmpty()
            && m_searching.elapsed() >= m_diagnosisDelayMs)
            m_why->setChecked(true); // opens the explanation
        updateDiagnosis();
    });
    m_tick.start();
    updateDiscoveryStatus();
    refreshDiscovered();
}

void JoinDialog::updateRecent()
{
    using State = Client::ReachabilityProbe::State;
    for (int row = 0; row < m_recent->count(); ++row) {
        QListWidgetItem *item = m_recent->item(row);
        const State state = m_probe.stateOf(item->data(UrlRole).toUrl());
        const QString name = item->data(NameRole).toString();
        item->setText(state == State::Reachable         ? tr("%1  ·  answers now").arg(name)
                          : state == State::Unreachable ? tr("%1  ·  does not answer now").arg(name)
                                                        : name);
        item->setIcon(Icons::dot(state == State::Reachable ? QColor(0x2e, 0xa0, 0x43)
                                                           : palette().color(QPalette::Mid)));
    }
}

void JoinDialog::setOwnHub(const QString &hubId, const QStringList &reachableAt)
{
    m_ownHubId = hubId;
    m_reachableAt = reachableAt;
    updateDiagnosis();
}

void JoinDialog::setDiscoveryPort(quint16 port)
{
    const Client::DiscoveryMode mode = m_browser.mode();
    m_browser.setPort(port);
    m_browser.start(mode);
    updateDiscoveryStatus();
    updateDiagnosis();
}

bool JoinDialog::isDiagnosisShown() const
{
    return m_diagnosisBox->isVisible();
}

QString JoinDialog::diagnosisText() const
{
    return m_diagnosis->text();
}

void JoinDialog::updateDiagnosis()
{
    DiscoveryFacts facts;
    facts.mode = m_browser.mode();
    facts.listening = m_browser.isListening();
    facts.bindError = m_browser.errorString();
    facts.port = m_browser.port();
    facts.searchedSeconds = int(m_searching.elapsed() / 1000);
    const QList<Client::DiscoveredHub> hubs = m_browser.hubs();
    facts.interfaces = m_interfaces;
    facts.includeVirtual = m_includeVirtual->isChecked();
    facts.announcing = !m_ownHubId.isEmpty();
    for (const Client::DiscoveredHub &hub : hubs) {
        if (hub.hubId == m_ownHubId)
            facts.ownHubHeard = true;
        else
            ++facts.hubsFound;
    }
    facts.reachableAt = m_reachableAt;
    const QStringList said = discoveryDiagnosis(facts);
    QString text;
    for (const QString &sentence : said)
        text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + QStringLiteral("• ")
            + sentence;
    if (m_diagnosis->text() != text)
        m_diagnosis->setText(text);
}

JoinDialog::~JoinDialog() = default;

QString JoinDialog::password() const
{
    return m_password->text();
}

void JoinDialog::accept()
{
    QString error;
    const std::optional<QUrl> url = Client::parseHubAddress(m_address->text(), &error);
    if (!url) {
        m_error->setText(error);
        m_address->setFocus();
        return;
    }
    m_url = *url;
    m_chosen.reset();
    // A discovered hub says whether it is encrypted and which certificate it announces: the one
    // picked in the list, else one heard at the typed address, the ones matching what was
    // verified before first.
    const QString typed = m_address->text().trimmed();
    const QString picked = m_discovered->currentItem()
        ? m_discovered->currentItem()->data(NameColumn, KeyRole).toString()
        : QString();
    const Client::TrustRecords records = m_settings->trustRecords();
    for (const Client::DiscoveredHub &hub : m_browser.hubs()) {
        if (Client::hubAddressText(hub.mountUrl()) != typed)
            continue;
        const bool better = !m_chosen || hub.key() == picked
            || (m_chosen->key() != picked
                && Client::judgeBeacon(*m_chosen, records) == Client::BeaconTrust::Unverified
                && Client::judgeBeacon(hub, records) != Client::BeaconTrust::Unverified);
        if (better)
            m_chosen = hub;
    }
    if (m_chosen)
        m_url = m_chosen->mountUrl();
    QDialog::accept();
}

void JoinDialog::refreshDiscovered()
{
    const QString selectedKey = m_discovered->currentItem()
        ? m_discovered->currentItem()->data(NameColumn, KeyRole).toString()
        : QString();
    const Client::TrustRecords records = m_settings->trustRecords();
    const QList<Client::DiscoveredHub> hubs = m_browser.hubs();
    // Rows are updated in place so that the selection and scroll position stay put.
    for (int i = 0; i < hubs.size(); ++i) {
        const Client::DiscoveredHub &hub = hubs.at(i);
        QTreeWidgetItem *item = m_discovered->topLevelItem(i);
        if (!item)
            item = new QTreeWidgetItem(m_discovered);
        const QString address = Client::hubAddressText(hub.mountUrl());
        // A beacon that does not match what was verified is another hub, whatever name it
        // gives: said so, and joining it asks first.
        const bool unverified
            = Client::judgeBeacon(hub, records) == Client::BeaconTrust::Unverified;
        item->setText(NameColumn, unverified ? tr("%1 (unverified)").arg(hub.name) : hub.name);
        item->setIcon(NameColumn,
                      Icons::icon(unverified       ? QStringLiteral("warning")
                                      : hub.locked ? QStringLiteral("lock")
                                                   : QStringLiteral("host"),
                                  palette().color(QPalette::Text)));
        item->setToolTip(NameColumn,
                         unverified       ? unverifiedHubExplanation(hub.name)
                             : hub.locked ? tr("This hub needs a password")
                                          : QString());
        item->setText(AddressColumn, address);
        item->setText(UsersColumn, QString::number(hub.users));
        item->setText(RoomsColumn, QString::number(hub.rooms));
        item->setTextAlignment(UsersColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setTextAlignment(RoomsColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setData(NameColumn, KeyRole, hub.key());
        item->setData(NameColumn, AddressRole, address);
        item->setData(NameColumn, LockedRole, hub.locked);
        if (hub.key() == selectedKey && m_discovered->currentItem() != item)
            m_discovered->setCurrentItem(item);
    }
    while (m_discovered->topLevelItemCount() > hubs.size())
        delete m_discovered->takeTopLevelItem(m_discovered->topLevelItemCount() - 1);
    updateDiscoveryStatus();
}

void JoinDialog::updateDiscoveryStatus()
{
    if (m_browser.mode() == Client::DiscoveryMode::Off)
        m_discoveryStatus->setText(tr("Discovery is off"));
    else if (!m_browser.isListening())
        m_discoveryStatus->setText(tr("Cannot listen: %1").arg(m_browser.errorString()));
    else if (m_discovered->topLevelItemCount() == 0)
        m_discoveryStatus->setText(tr("Searching…"));
    else
        m_discoveryStatus->setText(tr("%n found", nullptr, m_discovered->topLevelItemCount()));
}

} // namespace Parley::Ui
