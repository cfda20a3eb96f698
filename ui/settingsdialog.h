#pragma once

#include "ui/appsettings.h"

#include <QDialog>

class QCheckBox;
class QComboBox;

namespace Parley::Ui {

// The user's preferences: the theme (system, light, dark), which messages notify and whether
// notifications show their text, and starting minimised. Every change is kept and applied at
// once (preferencesChanged); the dialog only closes. GUI thread.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit SettingsDialog(AppSettings *settings, QWidget *parent = nullptr);

    QComboBox *themeBox() const { return m_theme; }
    QComboBox *notifyBox() const { return m_notify; }
    QCheckBox *notificationTextBox() const { return m_notificationText; }
    QCheckBox *startMinimisedBox() const { return m_startMinimised; }

signals:
    void preferencesChanged(const Parley::Ui::Preferences &preferences);

private:
    void save();

    AppSettings *m_settings;
    QComboBox *m_theme;
    QComboBox *m_notify;
    QCheckBox *m_notificationText;
    QCheckBox *m_startMinimised;
};

} // namespace Parley::Ui
