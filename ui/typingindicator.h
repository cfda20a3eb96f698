#pragma once

#include <QLabel>
#include <QPointer>

namespace Parley::Client {
class PresenceModel;
}

namespace Parley::Ui {

// The line under the messages: "Ana is typing…", from the open topic's presence. Keeps its
// height when empty so the messages do not jump. Owned by MainWindow; GUI thread.
class TypingIndicator : public QLabel
{
    Q_OBJECT
public:
    explicit TypingIndicator(QWidget *parent = nullptr);

    void setPresence(Client::PresenceModel *presence);
    static QString describe(const QStringList &nicks);

private:
    void refresh();

    QPointer<Client::PresenceModel> m_presence;
};

} // namespace Parley::Ui
