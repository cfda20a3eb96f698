#include "ui/createroomdialog.h"

#include "protocol/events.h"
#include "ui/icons.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace Parley::Ui {

namespace {
const QRegularExpression &namePattern()
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z0-9][a-z0-9_-]{0,39}$"));
    return pattern;
}
} // namespace

CreateRoomDialog::CreateRoomDialog(QWidget *parent)
    : QDialog(parent)
    , m_title(new QLineEdit(this))
    , m_name(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_hint(new QLabel(this))
    , m_error(new QLabel(this))
{
    setWindowTitle(tr("New room"));
    m_title->setPlaceholderText(tr("e.g. Design review"));
    m_title->setMaxLength(64);
    m_name->setPlaceholderText(tr("design-review"));
    m_name->setMaxLength(40);
    m_name->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[a-z0-9_-]{0,40}")), m_name));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("Optional: only people who know it can join"));
    m_hint->setForegroundRole(QPalette::PlaceholderText);
    m_hint->setText(tr("Lowercase letters, digits, “-” and “_”."));

    auto *form = new QFormLayout;
    form->addRow(tr("&Title:"), m_title);
    form->addRow(tr("&Name:"), m_name);
    form->addRow(QString(), m_hint);
    form->addRow(tr("Pass&word:"), m_password);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_create = buttons->button(QDialogButtonBox::Ok);
    m_create->setText(tr("Create room"));
    m_create->setIcon(Icons::icon(QStringLiteral("plus"), QPalette::ButtonText));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        m_waiting = true;
        m_error->setText(tr("Creating…"));
        validate();
        emit createRequested(name(), title(), password());
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_error->setObjectName(QStringLiteral("createRoomError"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);

    connect(m_title, &QLineEdit::textChanged, this, [this](const QString &title) {
        if (!m_nameEdited)
            m_name->setText(nameFromTitle(title));
        validate();
    });
    connect(m_name, &QLineEdit::textEdited, this, [this] {
        m_nameEdited = !m_name->text().isEmpty();
        validate();
    });

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    setMinimumWidth(400);
    validate();
}

QString CreateRoomDialog::name() const
{
    return m_name->text();
}

QString CreateRoomDialog::title() const
{
    const QString title = m_title->text().trimmed();
    return title.isEmpty() ? name() : title;
}

QString CreateRoomDialog::password() const
{
    return m_password->text();
}

QString CreateRoomDialog::nameFromTitle(const QString &title)
{
    QString name;
    for (const QChar c : title.normalized(QString::NormalizationForm_KD).toLower()) {
        if ((c >= QLatin1Char('a') && c <= QLatin1Char('z')) || c.isDigit())
            name += c.isDigit() ? QChar(QLatin1Char(char('0' + c.digitValue()))) : c;
        else if ((c.isSpace() || c == QLatin1Char('-') || c == QLatin1Char('_')) && !name.isEmpty()
                 && !name.endsWith(QLatin1Char('-')))
            name += QLatin1Char('-');
    }
    while (name.endsWith(QLatin1Char('-')))
        name.chop(1);
    return name.left(40);
}

bool CreateRoomDialog::isValidName(const QString &name)
{
    return namePattern().match(name).hasMatch();
}

void CreateRoomDialog::validate()
{
    m_create->setEnabled(!m_waiting && isValidName(m_name->text()));
}

void CreateRoomDialog::showFailure(const QString &reason, int retryAfterMs)
{
    m_waiting = false;
    m_error->setText(describeFailure(reason, name(), retryAfterMs));
    validate();
    m_name->setFocus();
    m_name->selectAll();
}

QString CreateRoomDialog::errorText() const
{
    return m_error->text();
}

QString CreateRoomDialog::describeFailure(const QString &reason, const QString &name,
                                          int retryAfterMs)
{
    if (reason == Protocol::Reason::Exists)
        return tr("A room named “%1” already exists on this hub. Pick another name.").arg(name);
    if (reason == Protocol::Reason::InvalidName)
        return tr("The hub does not accept “%1” as a room name.").arg(name);
    if (reason == Protocol::Reason::TooManyRooms)
        return tr("This hub holds as many rooms as it may, or you made as many as one person may; "
                  "ask its host.");
    if (reason == Protocol::Reason::RateLimited) {
        const int minutes = std::max(1, int(std::ceil(std::max(retryAfterMs, 0) / 60'000.0)));
        return tr("You made several rooms in the last hour. You can make another in %n minute(s).",
                  nullptr, minutes);
    }
    if (reason == QLatin1String("not_connected") || reason == QLatin1String("timeout"))
        return tr("The hub did not answer. Try again once it is connected.");
    return tr("The hub did not create the room (%1).").arg(reason);
}

} // namespace Parley::Ui
