#pragma once

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace Parley::Ui {

// Asks for a new room: its title, its name (derived from the title until edited; the hub's rule
// is 1–40 of [a-z0-9_-] starting with a letter or digit) and an optional password. Create asks
// the caller (createRequested) and stays open, waiting: the caller closes it with accept() once
// the hub made the room, or shows the hub's refusal in words with showFailure(), the input kept.
// Owned by its caller; GUI thread.
class CreateRoomDialog : public QDialog
{
    Q_OBJECT
public:
    explicit CreateRoomDialog(QWidget *parent = nullptr);

    QString name() const;
    QString title() const;
    QString password() const;

    // The hub refused: say why in the dialog and let the user fix it.
    void showFailure(const QString &reason, int retryAfterMs = -1);
    // A create_room error reason ("exists", "invalid_name", …) in words about `name`.
    static QString describeFailure(const QString &reason, const QString &name,
                                   int retryAfterMs = -1);
    QString errorText() const;

    // "Design Review!" -> "design-review"
    static QString nameFromTitle(const QString &title);
    static bool isValidName(const QString &name);

signals:
    void createRequested(const QString &name, const QString &title, const QString &password);

private:
    void validate();

    QLineEdit *m_title;
    QLineEdit *m_name;
    QLineEdit *m_password;
    QLabel *m_hint;
    QLabel *m_error;
    bool m_waiting = false;
    QPushButton *m_create;
    bool m_nameEdited = false;
};

} // namespace Parley::Ui
