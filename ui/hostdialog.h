#pragma once

#include "ui/hubcontrol.h"

#include <QDialog>

class QCheckBox;
class QLineEdit;
class QSpinBox;

namespace Parley::Ui {

// Asks how to host a hub: its name, a port (or any free one), an optional hub password and
// whether to announce it on the LAN. Owned by its caller; GUI thread.
class HostDialog : public QDialog
{
    Q_OBJECT
public:
    explicit HostDialog(const HostOptions &defaults, QWidget *parent = nullptr);

    HostOptions options() const;

private:
    QLineEdit *m_name;
    QSpinBox *m_port;
    QCheckBox *m_anyPort;
    QLineEdit *m_password;
    QCheckBox *m_announce;
    QCheckBox *m_tls;
    QLineEdit *m_certificate;
    QLineEdit *m_key;
};

} // namespace Parley::Ui
