#include "ui/hostdialog.h"

#include "ui/icons.h"

#include <QCheckBox>
#include <QFileDialog>
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
    , m_tls(new QCheckBox(tr("Encrypt connections (wss://)"), this))
    , m_certificate(new QLineEdit(defaults.tlsCertificateFile, this))
    , m_key(new QLineEdit(defaults.tlsKeyFile, this))
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

    m_tls->setToolTip(tr("Nobody else on the network can read the messages. Without files, the "
                         "hub uses its own certificate, made once and kept; people who join "
                         "compare its safety code with yours."));
    m_tls->setChecked(defaults.tls);
    m_certificate->setPlaceholderText(tr("Optional: your certificate (PEM)"));
    m_key->setPlaceholderText(tr("Optional: its private key (PEM)"));
    const auto fileRow = [this](QLineEdit *edit, const QString &title) {
        auto *row = new QHBoxLayout;
        auto *browse = new QPushButton(tr("Browse…"), this);
        connect(browse, &QPushButton::clicked, edit, [this, edit, title] {
            const QString file = QFileDialog::getOpenFileName(this, title, edit->text(),
                                                              tr("PEM files (*.pem *.crt *.key);;All files (*)"));
            if (!file.isEmpty())
                edit->setText(file);
        });
        row->addWidget(edit);
        row->addWidget(browse);
        return row;
    };
    auto *certificateRow = fileRow(m_certificate, tr("TLS certificate"));
    auto *keyRow = fileRow(m_key, tr("TLS private key"));
    const auto updateTls = [this] {
        m_certificate->setEnabled(m_tls->isChecked());
        m_key->setEnabled(m_tls->isChecked());
    };
    connect(m_tls, &QCheckBox::toggled, this, updateTls);
    updateTls();

    auto *portRow = new QHBoxLayout;
    portRow->addWidget(m_port);
    portRow->addWidget(m_anyPort);
    portRow->addStretch();

    auto *form = new QFormLayout;
    form->addRow(tr("Hub &name:"), m_name);
    form->addRow(tr("&Port:"), portRow);
    form->addRow(tr("Pass&word:"), m_password);
    form->addRow(QString(), m_announce);
    form->addRow(QString(), m_tls);
    form->addRow(tr("&Certificate:"), certificateRow);
    form->addRow(tr("&Key:"), keyRow);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    QPushButton *start = buttons->button(QDialogButtonBox::Ok);
    start->setText(tr("Start hosting"));
    start->setIcon(Icons::icon(QStringLiteral("host"), QPalette::ButtonText));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // Start needs a name, and both files or neither.
    const auto updateStart = [this, start] {
        const bool tlsReady = !m_tls->isChecked()
                || m_certificate->text().trimmed().isEmpty() == m_key->text().trimmed().isEmpty();
        start->setEnabled(!m_name->text().trimmed().isEmpty() && tlsReady);
    };
    for (QLineEdit *edit : { m_name, m_certificate, m_key })
        connect(edit, &QLineEdit::textChanged, start, updateStart);
    connect(m_tls, &QCheckBox::toggled, start, updateStart);
    updateStart();

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
    options.tls = m_tls->isChecked();
    if (options.tls) {
        options.tlsCertificateFile = m_certificate->text().trimmed();
        options.tlsKeyFile = m_key->text().trimmed();
    }
    return options;
}

} // namespace Parley::Ui
