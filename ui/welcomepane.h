#pragma once

#include <QWidget>

class QLabel;

namespace Parley::Ui {

// What the chat area shows without a hub: a greeting and the two ways in, Host and Join.
// Owned by MainWindow; GUI thread.
class WelcomePane : public QWidget
{
    Q_OBJECT
public:
    explicit WelcomePane(QWidget *parent = nullptr);

    void setNick(const QString &nick);

signals:
    void hostRequested();
    void joinRequested();

private:
    QLabel *m_greeting;
};

} // namespace Parley::Ui
