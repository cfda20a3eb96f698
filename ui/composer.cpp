#include "ui/composer.h"

#include <QAbstractTextDocumentLayout>
#include <QKeyEvent>
#include <QScopedValueRollback>
#include <QScrollBar>
#include <QTextBlock>

#include <cmath>
#include <utility>

namespace Parley::Ui {

namespace {
constexpr int maxLines = 6;
}

Composer::Composer(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setTabChangesFocus(true);
    setLineWrapMode(QPlainTextEdit::WidgetWidth);
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    document()->setDocumentMargin(4);
    m_typingIdle.setSingleShot(true);
    m_typingIdle.setInterval(typingIdleMs);
    connect(&m_typingIdle, &QTimer::timeout, this, [this] {
        if (m_typing) {
            m_typing = false;
            emit typingChanged(false);
        }
    });
    connect(this, &QPlainTextEdit::textChanged, this, &Composer::onTextChanged);
    connect(document()->documentLayout(), &QAbstractTextDocumentLayout::documentSizeChanged, this,
            &Composer::updateHeight);
    setTopic({}, {});
    updateHeight();
}

void Composer::setTopic(const QString &topic, const QString &placeholder, const QString &draftKey)
{
    cancelEdit(); // an edit belongs to the room it started in
    if (m_typing) {
        m_typing = false;
        emit typingChanged(false); // still for the old topic: the caller switches after this
    }
    if (!m_draftKey.isEmpty())
        m_drafts.insert(m_draftKey, toPlainText());
    {
        QScopedValueRollback switching(m_switching, true);
        m_topic = topic;
        m_draftKey = topic.isEmpty() ? QString() : draftKey.isEmpty() ? topic : draftKey;
        setPlainText(m_drafts.take(m_draftKey));
        moveCursor(QTextCursor::End);
    }
    setPlaceholderText(placeholder);
    setEnabled(!topic.isEmpty());
}

QHash<QString, QString> Composer::drafts() const
{
    QHash<QString, QString> drafts = m_drafts;
    if (!m_draftKey.isEmpty())
        drafts.insert(m_draftKey, toPlainText());
    drafts.removeIf(
        [](const QHash<QString, QString>::iterator it) { return it.value().trimmed().isEmpty(); });
    return drafts;
}

void Composer::setDrafts(const QHash<QString, QString> &drafts)
{
    m_drafts = drafts;
    if (!m_draftKey.isEmpty()) {
        QScopedValueRollback switching(m_switching, true);
        setPlainText(m_drafts.take(m_draftKey));
        moveCursor(QTextCursor::End);
    }
}

void Composer::beginEdit(qint64 id, const QString &body)
{
    if (id == 0)
        return;
    if (!isEditing())
        m_draftBeforeEdit = toPlainText();
    m_editingId = id;
    {
        QScopedValueRollback switching(m_switching, true); // editing is not typing a message
        setPlainText(body);
        moveCursor(QTextCursor::End);
    }
    setFocus(Qt::OtherFocusReason);
    emit editingChanged(true);
}

void Composer::cancelEdit()
{
    if (!isEditing())
        return;
    m_editingId = 0;
    {
        QScopedValueRollback switching(m_switching, true);
        setPlainText(std::exchange(m_draftBeforeEdit, {}));
        moveCursor(QTextCursor::End);
    }
    emit editingChanged(false);
}

void Composer::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    const bool plain
        = !(event->modifiers()
            & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier | Qt::ShiftModifier));
    if (isEditing() && event->key() == Qt::Key_Escape) {
        cancelEdit();
        return;
    }
    if (isEditing() && enter && plain) {
        const QString body = toPlainText().trimmed();
        const qint64 id = m_editingId;
        if (!body.isEmpty()) {
            cancelEdit(); // the draft comes back
            emit editSubmitted(id, body);
        }
        return;
    }
    if (!isEditing() && event->key() == Qt::Key_Up && plain && toPlainText().isEmpty()) {
        emit editLastRequested();
        return;
    }
    if (enter && event->modifiers().testFlag(Qt::ShiftModifier)) {
        insertPlainText(QStringLiteral("\n"));
        return;
    }
    if (enter
        && !(event->modifiers() & (Qt::ControlModifier | Qt::AltModifier | Qt::MetaModifier))) {
        const QString body = toPlainText().trimmed();
        if (!body.isEmpty()) {
            {
                QScopedValueRollback switching(m_switching, true); // not "stopped typing"
                clear();
            }
            m_typing = false;
            m_typingIdle.stop();
            emit submitted(body); // the hub clears typing when it accepts the message
        }
        return;
    }
    QPlainTextEdit::keyPressEvent(event);
}

void Composer::onTextChanged()
{
    if (m_switching)
        return;
    if (toPlainText().trimmed().isEmpty()) {
        m_typingIdle.stop();
        if (m_typing) {
            m_typing = false;
            emit typingChanged(false);
        }
        return;
    }
    m_typing = true;
    m_typingIdle.start();
    emit typingChanged(true);
}

int Composer::heightForLines(int lines) const
{
    const int margins = int(2 * document()->documentMargin()) + 2 * frameWidth()
        + contentsMargins().top() + contentsMargins().bottom();
    return lines * fontMetrics().lineSpacing() + margins;
}

void Composer::updateHeight()
{
    // documentSize() of a QPlainTextEdit counts lines (wrapped lines included).
    const int lines = int(std::ceil(document()->documentLayout()->documentSize().height()));
    setFixedHeight(heightForLines(qBound(1, lines, maxLines)));
    setVerticalScrollBarPolicy(lines > maxLines ? Qt::ScrollBarAsNeeded : Qt::ScrollBarAlwaysOff);
}

QSize Composer::sizeHint() const
{
    return { 300, heightForLines(1) };
}

QSize Composer::minimumSizeHint() const
{
    return { 120, heightForLines(1) };
}

} // namespace Parley::Ui
