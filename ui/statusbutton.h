#pragma once

#include "protocol/events.h"

#include <QToolButton>

namespace Parley::Ui {

// The user's own card at the bottom of the sidebar: avatar, nick and status; its menu chooses
// online / away / busy and shows who the user is for sure (the fingerprint of their key), with
// export and import of the identity. Owned by MainWindow; GUI thread.
class StatusButton : public QToolButton
{
    Q_OBJECT
public:
    explicit StatusButton(QWidget *parent = nullptr);

    void setIdentity(const QString &userId, const QString &nick);
    void setStatus(const QString &status); // shows it; does not emit
    QString status() const { return m_status; }

    QSize sizeHint() const override;

signals:
    void statusChosen(const QString &status);
    void exportIdentityRequested();
    void importIdentityRequested();

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QAction *m_fingerprint; // child of the menu: shows the fingerprint
    QString m_userId;
    QString m_nick;
    QString m_status = Protocol::Status::Online;
};

} // namespace Parley::Ui
