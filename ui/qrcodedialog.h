#pragma once

#include "client/invitelink.h"

#include <QDialog>
#include <QImage>
#include <QList>

class QComboBox;
class QLabel;

namespace Parley::Ui {

// An invite link as a QR code, for a phone or a second laptop to scan: the code of the chosen
// address (the likeliest first), the link as text to copy, and what scanning it does.
// Owned by its caller; GUI thread.
class QrCodeDialog : public QDialog
{
    Q_OBJECT
public:
    QrCodeDialog(const QString &hubName, const QList<Client::InviteLink> &links,
                 QWidget *parent = nullptr);

    // The QR code of `text` as black modules on white with a quiet zone of four modules, one
    // pixel a module; a null image if the text does not fit a QR code.
    static QImage encode(const QString &text);
    QString shownLink() const;

private:
    void showLink(int index);

    QList<Client::InviteLink> m_links;
    QComboBox *m_address;
    QLabel *m_code;
    QLabel *m_text;
};

} // namespace Parley::Ui
