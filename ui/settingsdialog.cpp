#include "ui/settingsdialog.h"

#include "ui/icons.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QVBoxLayout>

namespace Parley::Ui {

SettingsDialog::SettingsDialog(AppSettings *settings, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_theme(new QComboBox(this))
    , m_notify(new QComboBox(this))
    , m_notificationText(new QCheckBox(tr("Show the message's text"), this))
    , m_startMinimised(new QCheckBox(tr("Start minimised"), this))
{
    setWindowTitle(tr("Settings"));
    setWindowIcon(Icons::appIcon());

    // The combo boxes list the choices in the order of Preferences' enums.
    m_theme->addItems({ tr("Same as the system"), tr("Light"), tr("Dark") });
    m_notify->addItems({ tr("All messages"), tr("Direct messages and mentions"), tr("Nothing") });
    const Preferences preferences = settings->preferences();
    m_theme->setCurrentIndex(int(preferences.theme));
    m_notify->setCurrentIndex(int(preferences.notify));
    m_notificationText->setChecked(preferences.notificationText);
    m_startMinimised->setChecked(preferences.startMinimised);
    m_notificationText->setEnabled(preferences.notify != Preferences::Notify::Nothing);

    auto *appearance = new QGroupBox(tr("Appearance"), this);
    auto *appearanceForm = new QFormLayout(appearance);
    appearanceForm->addRow(tr("&Theme:"), m_theme);

    auto *notifications = new QGroupBox(tr("Notifications"), this);
    auto *notificationsForm = new QFormLayout(notifications);
    notificationsForm->addRow(tr("&Notify me about:"), m_notify);
    notificationsForm->addRow(QString(), m_notificationText);
    auto *busyNote = new QLabel(
        tr("While your status is Busy, only messages that mention you notify."), notifications);
    busyNote->setWordWrap(true);
    busyNote->setForegroundRole(QPalette::PlaceholderText);
    notificationsForm->addRow(busyNote);

    auto *startup = new QGroupBox(tr("Startup"), this);
    auto *startupLayout = new QVBoxLayout(startup);
    startupLayout->addWidget(m_startMinimised);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::accept);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(appearance);
    layout->addWidget(notifications);
    layout->addWidget(startup);
    layout->addWidget(buttons);
    layout->setSizeConstraint(QLayout::SetFixedSize);

    connect(m_theme, &QComboBox::currentIndexChanged, this, &SettingsDialog::save);
    connect(m_notify, &QComboBox::currentIndexChanged, this, &SettingsDialog::save);
    connect(m_notificationText, &QCheckBox::toggled, this, &SettingsDialog::save);
    connect(m_startMinimised, &QCheckBox::toggled, this, &SettingsDialog::save);
}

void SettingsDialog::save()
{
    Preferences preferences;
    preferences.theme = Preferences::Theme(m_theme->currentIndex());
    preferences.notify = Preferences::Notify(m_notify->currentIndex());
    preferences.notificationText = m_notificationText->isChecked();
    preferences.startMinimised = m_startMinimised->isChecked();
    m_notificationText->setEnabled(preferences.notify != Preferences::Notify::Nothing);
    m_settings->setPreferences(preferences);
    emit preferencesChanged(preferences);
}

} // namespace Parley::Ui
