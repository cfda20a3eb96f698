#pragma once

#include <QDialog>

class QListWidget;
class QPushButton;

namespace Parley::Ui {

class AppSettings;

// "Trusted hubs": every hub whose certificate the user trusts, with its safety code (to compare
// with the host again) and the full fingerprint; a hub can be forgotten, so that the next join
// asks again. Modal, owned by its opener.
class TrustedHubsDialog : public QDialog
{
    Q_OBJECT
public:
    TrustedHubsDialog(AppSettings *settings, QWidget *parent = nullptr);

    QListWidget *list() const { return m_list; }
    QPushButton *forgetButton() const { return m_forget; }

private:
    void reload();

    AppSettings *m_settings;
    QListWidget *m_list;
    QPushButton *m_forget;
};

} // namespace Parley::Ui
