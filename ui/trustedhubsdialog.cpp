#include "ui/trustedhubsdialog.h"

#include "protocol/fingerprint.h"
#include "ui/appsettings.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace Parley::Ui {

TrustedHubsDialog::TrustedHubsDialog(AppSettings *settings, QWidget *parent)
    : QDialog(parent), m_settings(settings), m_list(new QListWidget(this)),
      m_forget(new QPushButton(tr("&Forget"), this))
{
    setWindowTitle(tr("Trusted hubs"));
    auto *intro = new QLabel(tr("Parley connects to these hubs only when they show the certificate "
                                "you trusted. Compare a safety code with the host's at any time; "
                                "forget a hub to be asked again the next time you join it."),
                             this);
    intro->setWordWrap(true);
    m_list->setAlternatingRowColors(true);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_forget->setEnabled(false);
    connect(m_list, &QListWidget::currentRowChanged, m_forget, [this](int row) { m_forget->setEnabled(row >= 0); });
    connect(m_forget, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem *item = m_list->currentItem()) {
            m_settings->forgetPin(item->data(Qt::UserRole).toString());
            reload();
        }
    });
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_forget, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_list);
    layout->addWidget(buttons);
    setMinimumSize(460, 300);
    reload();
}

void TrustedHubsDialog::reload()
{
    m_list->clear();
    const QMap<QString, QString> pins = m_settings->pins();
    for (auto it = pins.cbegin(); it != pins.cend(); ++it) {
        auto *item = new QListWidgetItem(tr("%1    %2").arg(it.key(), Protocol::Fingerprint::safetyCode(it.value())), m_list);
        item->setData(Qt::UserRole, it.key());
        item->setToolTip(tr("SHA-256 fingerprint: %1").arg(it.value()));
    }
    if (pins.isEmpty()) {
        auto *item = new QListWidgetItem(tr("No trusted hubs yet."), m_list);
        item->setFlags(Qt::NoItemFlags);
    }
    m_forget->setEnabled(false);
}

} // namespace Parley::Ui
