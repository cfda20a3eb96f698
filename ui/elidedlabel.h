#pragma once

#include <QLabel>

namespace Parley::Ui {

// One line of plain text that is cut with "…" at a whole character when there is no room for
// all of it (a QLabel would cut it mid-letter), with the whole text as its tooltip then. It asks
// for the room of all its text and can shrink to a few characters. GUI thread.
class ElidedLabel : public QLabel
{
    Q_OBJECT
public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    QString shownText() const; // the text as drawn at the current width
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
};

} // namespace Parley::Ui
