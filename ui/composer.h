#pragma once

#include <QHash>
#include <QPlainTextEdit>
#include <QTimer>

namespace Parley::Ui {

// Where a message is written: Enter sends, Shift+Enter starts a new line. Grows with its text up
// to a few lines, keeps a draft per topic, and reports typing (true on every edit of a non-empty
// text, false when it is emptied, sent, or left alone for a few seconds; ChatSession throttles).
// Also where a sent message is edited in place: Up in an empty composer asks for the last own
// message (editLastRequested), beginEdit() puts it here, Enter saves (editSubmitted), Esc
// cancels; the draft comes back after either.
// Owned by MainWindow; GUI thread.
class Composer : public QPlainTextEdit
{
    Q_OBJECT
public:
    static constexpr int typingIdleMs = 4000;

    explicit Composer(QWidget *parent = nullptr);

    // Switches the draft shown to that of topic (empty: none, the composer is disabled). Drafts
    // are kept by `draftKey` (the topic if empty): a hub's room and another hub's room of the
    // same name keep their own.
    void setTopic(const QString &topic, const QString &placeholder, const QString &draftKey = {});
    // Every unsent draft by key, the one shown included (kept across restarts by the window).
    QHash<QString, QString> drafts() const;
    void setDrafts(const QHash<QString, QString> &drafts);
    QString topic() const { return m_topic; }

    // Edit in place: the message's text replaces the draft until Enter or Esc.
    void beginEdit(qint64 id, const QString &body);
    void cancelEdit();
    bool isEditing() const { return m_editingId != 0; }
    qint64 editingId() const { return m_editingId; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void submitted(const QString &body);
    void typingChanged(bool typing);
    void editLastRequested();
    void editSubmitted(qint64 id, const QString &body);
    void editingChanged(bool editing);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    void onTextChanged();
    void updateHeight();
    int heightForLines(int lines) const;

    QString m_topic;
    QHash<QString, QString> m_drafts;
    QString m_draftKey;
    QTimer m_typingIdle;
    bool m_typing = false;
    bool m_switching = false;
    qint64 m_editingId = 0;
    QString m_draftBeforeEdit;
};

} // namespace Parley::Ui
