#pragma once

#include <QWidget>

namespace Parley::Ui {

// The rounded field around the composer and its send button: one input area with a visible
// edge on light and dark palettes (Base fill, a Mid edge, Highlight while focused).
// Owned by MainWindow; GUI thread.
class InputFrame : public QWidget
{
    Q_OBJECT
public:
    explicit InputFrame(QWidget *parent = nullptr);

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;
};

} // namespace Parley::Ui
