#include "ui/hostdialog.h"

#include "ui/icons.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace Parley::Ui {

HostDialog::HostDialog(const HostOptions &defaults, QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit(defaults.name, this))
    , m_port(new QSpinBox(this))
    , m_anyPort(new QCheckBox(tr("Any free port"), this))
    , m_password(new QLineEdit(defaults.password, this))
    , m_announce(new QCheckBox(tr("Announce on the local network"), this))
{
    setWindowTitle(tr("Host a hub"));
    setWindowIcon(Icons::appIcon());

    auto *intro = new QLabel(tr("Your computer becomes the hub: others on the network join it, "
                                "and it keeps the rooms and their history."),
                             this);
    intro->setWordWrap(true);

    m_name->setMaxLength(64);
    m_name->setPlaceholderText(tr("e.g. Design team"));
    m_port->setRange(1, 65535);
    m_port->setValue(defaults.port == 0 ? 4000 : defaults.port);
    m_anyPort->setChecked(defaults.port == 0);
    m_port->setEnabled(defaults.port != 0);
    connect(m_anyPort, &QCheckBox::toggled, m_port, [this](bool any) { m_port->setEnabled(!any); });
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("Optional"));
    m_password->setToolTip(tr("Everyone who joins this hub must enter this password."));
    m_announce->setChecked(defaults.announce);
    m_announce->setToolTip(tr("Others on your network see this hub in their Join dialog."));

    auto *portRow = new QHBoxLayout;
    portRow->addWidget(m_port);
    portRow->addWidget(m_anyPort);
    portRow->addStretch();

    auto *form = new QFormLayout;
    form->addRow(tr("Hub &name:"), m_name);
    form->addRow(tr("&Port:"), portRow);
    form->addRow(tr("Pass&word:"), m_password);
    form->addRow(QString(), m_announce);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    QPushButton *start = buttons->button(QDialogButtonBox::Ok);
    start->setText(tr("Start hosting"));
    start->setIcon(Icons::icon(QStringLiteral("host"), palette().color(QPalette::ButtonText)));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, start,
            [start](const QString &name) { start->setEnabled(!name.trimmed().isEmpty()); });
    start->setEnabled(!m_name->text().trimmed().isEmpty());

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addSpacing(6);
    layout->addLayout(form);
    layout->addWidget(buttons);
    setMinimumWidth(420);
}

HostOptions HostDialog::options() const
{
    HostOptions options;
    options.name = m_name->text().trimmed();
    options.port = m_anyPort->isChecked() ? 0 : quint16(m_port->value());
    options.password = m_password->text();
    options.announce = m_announce->isChecked();
    return options;
}

} // namespace Parley::Ui
