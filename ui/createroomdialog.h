#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace Parley::Ui {

// Asks for a new room: its title, its name (derived from the title until edited; the hub's rule
// is 1–40 of [a-z0-9_-] starting with a letter or digit) and an optional password.
// Owned by its caller; GUI thread.
class CreateRoomDialog : public QDialog
{
    Q_OBJECT
public:
    explicit CreateRoomDialog(QWidget *parent = nullptr);

    QString name() const;
    QString title() const;
    QString password() const;

    // "Design Review!" -> "design-review"
    static QString nameFromTitle(const QString &title);
    static bool isValidName(const QString &name);

private:
    void validate();

    QLineEdit *m_title;
    QLineEdit *m_name;
    QLineEdit *m_password;
    QLabel *m_hint;
    QPushButton *m_create;
    bool m_nameEdited = false;
};

} // namespace Parley::Ui
