#include "ui/connectionbanner.h"

#include "client/chatsession.h"
#include "client/hubaddress.h"
#include "protocol/events.h"
#include "ui/icons.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>

#include <cmath>

namespace Parley::Ui {

using State = Client::ChatSession::ConnectionState;

ConnectionBanner::ConnectionBanner(QWidget *parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
    , m_action(new QPushButton(this))
    , m_back(new QPushButton(tr("Back"), this))
{
    setObjectName(QStringLiteral("connectionBanner"));
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::ToolTipBase);
    setForegroundRole(QPalette::ToolTipText);
    setFrameShape(QFrame::StyledPanel);
    m_text->setWordWrap(true);
    m_text->setForegroundRole(QPalette::ToolTipText);
    m_text->setTextFormat(Qt::PlainText); // a refusal reason comes from the network
    m_icon->setFixedSize(18, 18);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 6, 8, 6);
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_action);
    layout->addWidget(m_back);
    m_back->setObjectName(QStringLiteral("bannerBack"));
    m_back->setToolTip(tr("Leave this address and choose another hub"));
    m_back->hide();
    connect(m_back, &QPushButton::clicked, this, &ConnectionBanner::backRequested);

    m_action->setObjectName(QStringLiteral("bannerAction"));
    connect(m_action, &QPushButton::clicked, this, [this] {
        switch (m_actionKind) {
        case Action::Password:
            return emit passwordRequested();
        case Action::Unencrypted:
            return emit unencryptedRequested();
        case Action::Retry:
            return emit retryRequested();
        }
    });
    m_countdown.setInterval(250);
    connect(&m_countdown, &QTimer::timeout, this, &ConnectionBanner::refresh);
    hide();
}

void ConnectionBanner::setSession(Client::ChatSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (session) {
        connect(session, &Client::ChatSession::connectionStateChanged, this,
                &ConnectionBanner::refresh);
    }
    refresh();
}

QString ConnectionBanner::text() const
{
    return isHidden() ? QString() : m_text->text();
}

QString ConnectionBanner::describeRefusal(const QString &reason)
{
    if (reason == Protocol::Reason::Unauthorized)
        return tr("wrong or missing hub password");
    if (reason == Protocol::Reason::HubFull)
        return tr("the hub is full");
    if (reason == Protocol::Reason::TooManyConnections)
        return tr("this computer's network address has as many connections to it as one may");
    if (reason.startsWith(Protocol::Reason::RateLimitedFor))
        return tr(
            "too many password attempts from this network address; Parley tries again shortly");
    if (reason == Protocol::Reason::BadParams)
        return tr("it did not accept this nickname or the identity");
    if (reason == QLatin1String("bad_vsn"))
        return tr("it speaks a different protocol version");
    if (reason.startsWith(QLatin1String("clock_skew:"))) {
        // The hub says what time it is: say it, so the user can see which clock is wrong.
        bool ok = false;
        const qint64 hubMs = reason.mid(11).toLongLong(&ok);
        const QString hubTime = ok ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(hubMs), QLocale::ShortFormat)
                                   : tr("another time");
        return tr("this computer's clock is more than 5 minutes off the hub's (the hub says it is %1)")
                .arg(hubTime);
    }
    if (reason == QLatin1String("replayed"))
        return tr("it saw this sign-in already, which only a copied sign-in would do");
    return reason.isEmpty() ? tr("no reason given") : reason;
}

void ConnectionBanner::refresh()
{
    const State state = m_session ? m_session->connectionState() : State::Disconnected;
    m_countdown.stop();
    m_actionKind = Action::Retry;
    QString icon = QStringLiteral("clock");
    QString action;
    switch (state) {
    case State::Disconnected:
    case State::Connected:
        hide();
        return;
    case State::Connecting:
        m_text->setText(tr("Connecting to %1…").arg(Client::hubAddressText(m_session->hubUrl())));
        break;
    case State::Reconnecting: {
        const int remainingMs = m_session->reconnectInMs();
        if (const QString refusal = m_session->refusalReason(); !refusal.isEmpty()) {
            // Refused for now (full, too many connections or attempts from here): it says when.
            const QString why = tr("The hub turned the connection away for now: %1.")
                                    .arg(describeRefusal(refusal));
            m_text->setText(remainingMs > 0 ? tr("%1 Trying again in %n s.", nullptr,
                                                 int(std::ceil(remainingMs / 1000.0)))
                                                  .arg(why)
                                            : why);
            icon = QStringLiteral("clock");
            m_countdown.start();
            break;
        }
        if (m_session->neverReached()) {
            // Never connected: more likely a wrong address or a hub that is not running than a
            // lost connection. Say so, with the address really used and the system's reason.
            QString why = m_session->lastError();
            if (!why.isEmpty())
                why[0] = why.at(0).toLower();
            const QString address = Client::hubAddressText(m_session->hubUrl());
            const QString reached = why.isEmpty() ? tr("Can't reach %1.").arg(address)
                                                  : tr("Can't reach %1 (%2).").arg(address, why);
            m_text->setText(remainingMs > 0 ? tr("%1 Trying again in %n s.", nullptr,
                                                 int(std::ceil(remainingMs / 1000.0)))
                                                  .arg(reached)
                                            : reached);
            icon = QStringLiteral("warning");
            action = tr("Try again");
            m_countdown.start();
            break;
        }
        if (m_session->closeReason() == Protocol::Reason::ShuttingDown) {
            // Stopped on purpose: nothing is wrong here, and it comes back when the host starts
            // it again. Quiet: no countdown.
            const QString hub = m_session->hubName().isEmpty()
                ? Client::hubAddressText(m_session->hubUrl())
                : m_session->hubName();
            m_text->setText(
                tr("The host stopped “%1”. Parley reconnects by itself when it is back.").arg(hub));
            icon = QStringLiteral("clock");
            m_countdown.start();
            break;
        }
        if (remainingMs > 0) {
            const int seconds = int(std::ceil(remainingMs / 1000.0));
            m_text->setText(
                tr("Connection to the hub lost — reconnecting in %n s…", nullptr, seconds));
        } else {
            m_text->setText(tr("Connection to the hub lost — reconnecting…"));
        }
        icon = QStringLiteral("refresh");
        m_countdown.start();
        break;
    }
    case State::Refused: {
        const QString reason = m_session->refusalReason();
        icon = QStringLiteral("warning");
        action = tr("Try again");
        if (reason == Protocol::Reason::UntrustedCertificate) {
            m_text->setText(tr("Not connected: the hub showed a certificate you have not trusted, "
                               "so nothing was sent to it."));
        } else if (reason == Protocol::Reason::NotEncrypted) {
            // Never plain by ourselves (docs/protocol.md, "No downgrade"): the user decides.
            m_text->setText(tr("Not connected: this hub answers without encryption now, so "
                               "Parley sent it nothing."));
            m_actionKind = Action::Unencrypted;
            action = tr("Connect without encryption…");
        } else if (reason == Protocol::Reason::UnverifiedHub) {
            m_text->setText(tr("Not connected: this hub has no encryption and says it is a hub "
                               "you joined at another address; nothing shows it is. Parley sent "
                               "it nothing."));
            m_actionKind = Action::Unencrypted;
            action = tr("Join anyway…");
        } else {
            m_text->setText(tr("The hub refused the connection: %1.").arg(describeRefusal(reason)));
            if (reason == Protocol::Reason::Unauthorized) {
                m_actionKind = Action::Password;
                action = tr("Enter password…");
            }
        }
        break;
    }
    }
    const qreal ratio = devicePixelRatioF();
    m_icon->setPixmap(
        Icons::icon(icon, palette().color(QPalette::ToolTipText)).pixmap(m_icon->size(), ratio));
    m_action->setText(action);
    m_action->setVisible(!action.isEmpty());
    m_back->setVisible(state == State::Reconnecting && m_session->neverReached());
    show();
}

} // namespace Parley::Ui
