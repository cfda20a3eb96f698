#include "ui/nicknamedialog.h"

#include "ui/appsettings.h"
#include "ui/icons.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Parley::Ui {

NicknameDialog::NicknameDialog(const QString &current, QWidget *parent)
    : QDialog(parent)
    , m_edit(new QLineEdit(current, this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setWindowTitle(current.isEmpty() ? tr("Welcome to Parley") : tr("Change nickname"));
    setWindowIcon(Icons::appIcon());

    auto *logo = new QLabel(this);
    logo->setPixmap(Icons::appIcon().pixmap(QSize(48, 48), devicePixelRatioF()));
    logo->setAlignment(Qt::AlignTop);
    auto *title = new QLabel(current.isEmpty() ? tr("<b>Welcome to Parley</b>")
                                               : tr("<b>Change your nickname</b>"),
                             this);
    auto *text = new QLabel(tr("Choose the name others on your network will see. "
                               "You can change it later."),
                            this);
    text->setWordWrap(true);

    m_edit->setPlaceholderText(tr("Nickname"));
    m_edit->setMinimumWidth(260);
    m_error->setForegroundRole(QPalette::PlaceholderText);

    auto *textColumn = new QVBoxLayout;
    textColumn->addWidget(title);
    textColumn->addWidget(text);
    textColumn->addSpacing(8);
    textColumn->addWidget(m_edit);
    textColumn->addWidget(m_error);
    auto *row = new QHBoxLayout;
    row->setSpacing(16);
    row->addWidget(logo);
    row->addLayout(textColumn, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_buttons);

    m_buttons->button(QDialogButtonBox::Ok)->setText(current.isEmpty() ? tr("Continue") : tr("OK"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_edit, &QLineEdit::textChanged, this, &NicknameDialog::validate);
    layout->setSizeConstraint(QLayout::SetFixedSize);
    validate();
}

QString NicknameDialog::nick() const
{
    return m_edit->text().trimmed();
}

void NicknameDialog::validate()
{
    const QString error = AppSettings::nickError(m_edit->text());
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty() && !m_edit->text().isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty());
}

} // namespace Parley::Ui
