#include "ui/qrcodedialog.h"

#include "client/hubaddress.h"
#include "ui/icons.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>
#include <qrencode.h>

#include <memory>

namespace Parley::Ui {

namespace {
constexpr int quietZone = 4; // modules of white around the code, as the standard asks
constexpr int shownSize = 280; // pixels on screen
} // namespace

QImage QrCodeDialog::encode(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString8bit(utf8.constData(), 0, QR_ECLEVEL_M), &QRcode_free);
    if (!code)
        return {};
    const int width = code->width;
    QImage image(width + 2 * quietZone, width + 2 * quietZone, QImage::Format_Mono);
    image.setColorTable({ qRgb(255, 255, 255), qRgb(0, 0, 0) });
    image.fill(0);
    for (int y = 0; y < width; ++y) {
        for (int x = 0; x < width; ++x) {
            if (code->data[y * width + x] & 1) // the lowest bit: a dark module
                image.setPixel(x + quietZone, y + quietZone, 1);
        }
    }
    return image;
}

QrCodeDialog::QrCodeDialog(const QString &hubName, const QList<Client::InviteLink> &links,
                           QWidget *parent)
    : QDialog(parent)
    , m_links(links)
    , m_address(new QComboBox(this))
    , m_code(new QLabel(this))
    , m_text(new QLabel(this))
{
    setWindowTitle(tr("Invite to %1").arg(hubName));
    setWindowIcon(Icons::appIcon());
    auto *intro = new QLabel(tr("Scan this code with a phone or another computer that has Parley, "
                                "or send the link. Whoever opens it joins “%1” without comparing "
                                "safety codes: give it only to people you trust.")
                                 .arg(hubName.toHtmlEscaped()),
                             this);
    intro->setWordWrap(true);
    for (const Client::InviteLink &link : links) {
        const bool local = link.mountUrl.host() == QLatin1String("127.0.0.1");
        m_address->addItem(
            local ? tr("%1 (this computer only)").arg(Client::hubAddressText(link.mountUrl))
                  : Client::hubAddressText(link.mountUrl));
    }
    m_address->setVisible(links.size() > 1);
    m_code->setObjectName(QStringLiteral("qrCode"));
    m_code->setAlignment(Qt::AlignCenter);
    m_code->setMinimumSize(shownSize, shownSize);
    m_text->setObjectName(QStringLiteral("inviteLinkText"));
    m_text->setTextFormat(Qt::PlainText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setWordWrap(true);
    m_text->setForegroundRole(QPalette::PlaceholderText);
    QFont mono = m_text->font();
    mono.setFamilies({ QStringLiteral("monospace") });
    mono.setStyleHint(QFont::Monospace);
    mono.setPointSizeF(mono.pointSizeF() * 0.85);
    m_text->setFont(mono);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *copy = buttons->addButton(tr("Copy link"), QDialogButtonBox::ActionRole);
    copy->setIcon(Icons::icon(QStringLiteral("copy"), QPalette::ButtonText));
    connect(copy, &QPushButton::clicked, this,
            [this] { QApplication::clipboard()->setText(shownLink()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_address, &QComboBox::currentIndexChanged, this, &QrCodeDialog::showLink);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_address);
    layout->addWidget(m_code, 1);
    layout->addWidget(m_text);
    layout->addWidget(buttons);
    setMinimumWidth(420);
    showLink(0);
}

QString QrCodeDialog::shownLink() const
{
    const int index = m_address->currentIndex();
    return index >= 0 && index < m_links.size() ? m_links.at(index).toString() : QString();
}

void QrCodeDialog::showLink(int index)
{
    const QString link
        = index >= 0 && index < m_links.size() ? m_links.at(index).toString() : QString();
    m_text->setText(link);
    const QImage code = encode(link);
    if (code.isNull()) {
        m_code->setText(tr("This link is too long for a QR code."));
        return;
    }
    // Whole pixels per module keep the code sharp; never smoothed.
    const qreal ratio = devicePixelRatioF();
    const int scale = qMax(1, int(shownSize * ratio) / code.width());
    QImage shown = code.scaled(code.size() * scale, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    shown.setDevicePixelRatio(ratio);
    m_code->setPixmap(QPixmap::fromImage(shown));
}

} // namespace Parley::Ui
