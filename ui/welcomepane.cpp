#include "ui/welcomepane.h"

#include "ui/icons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace Parley::Ui {

WelcomePane::WelcomePane(QWidget *parent)
    : QWidget(parent)
    , m_greeting(new QLabel(this))
{
    auto *logo = new QLabel(this);
    logo->setPixmap(Icons::appIcon().pixmap(QSize(72, 72), devicePixelRatioF()));
    logo->setAlignment(Qt::AlignCenter);
    QFont greetingFont = m_greeting->font();
    greetingFont.setPointSizeF(greetingFont.pointSizeF() * 1.5);
    greetingFont.setBold(true);
    m_greeting->setFont(greetingFont);
    m_greeting->setAlignment(Qt::AlignCenter);
    m_greeting->setTextFormat(Qt::PlainText);
    auto *text = new QLabel(tr("Host a hub on this computer for your team, or join one that "
                               "is already running on your network."),
                            this);
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignCenter);
    text->setForegroundRole(QPalette::PlaceholderText);
    text->setFixedWidth(400); // a wrapped label needs a width to know its height

    const QColor ink = palette().color(QPalette::ButtonText);
    auto *host = new QPushButton(Icons::icon(QStringLiteral("host"), ink), tr("Host a hub…"), this);
    auto *join = new QPushButton(Icons::icon(QStringLiteral("join"), ink), tr("Join a hub…"), this);
    for (QPushButton *button : { host, join }) {
        button->setIconSize(QSize(20, 20));
        button->setMinimumSize(160, 40);
    }
    host->setDefault(true);
    connect(host, &QPushButton::clicked, this, &WelcomePane::hostRequested);
    connect(join, &QPushButton::clicked, this, &WelcomePane::joinRequested);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(host);
    buttons->addSpacing(8);
    buttons->addWidget(join);
    buttons->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addStretch(2);
    layout->addWidget(logo);
    layout->addSpacing(12);
    layout->addWidget(m_greeting);
    auto *textRow = new QHBoxLayout;
    textRow->addStretch();
    textRow->addWidget(text);
    textRow->addStretch();
    layout->addLayout(textRow);
    layout->addSpacing(20);
    layout->addLayout(buttons);
    layout->addStretch(3);
    setNick({});
}

void WelcomePane::setNick(const QString &nick)
{
    m_greeting->setText(nick.isEmpty() ? tr("Welcome to Parley") : tr("Welcome, %1").arg(nick));
}

} // namespace Parley::Ui
