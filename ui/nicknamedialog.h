#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace Parley::Ui {

// Asks for the nickname others see (first start, and "Change nickname…"). The OK button is
// enabled only for a valid nick (AppSettings::nickError). Owned by its caller; GUI thread.
class NicknameDialog : public QDialog
{
    Q_OBJECT
public:
    explicit NicknameDialog(const QString &current = {}, QWidget *parent = nullptr);

    QString nick() const;
    QLineEdit *nickEdit() const { return m_edit; }

private:
    void validate();

    QLineEdit *m_edit;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
};

} // namespace Parley::Ui
