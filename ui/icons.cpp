#include "ui/icons.h"

#include <QApplication>
#include <QFile>
#include <QHash>
#include <QIconEngine>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QSvgRenderer>

#include <memory>
#include <optional>

static void initParleyResources()
{
    Q_INIT_RESOURCE(parley); // the .qrc lives in a static library: register it explicitly
}

namespace Parley::Ui::Icons {

namespace {

// Renders the SVG at the requested size on every paint, so HiDPI stays sharp. Disabled icons
// are drawn at reduced opacity instead of Qt's generated grey pixmap.
// With a colour role, "currentColor" is the application palette's colour of that role at each
// paint: the icon follows a change of theme while the app runs.
class SvgIconEngine final : public QIconEngine
{
public:
    explicit SvgIconEngine(QByteArray svg)
        : m_svg(std::move(svg))
        , m_renderer(std::make_shared<QSvgRenderer>(m_svg))
    {
    }
    SvgIconEngine(QByteArray svgTemplate, QPalette::ColorRole role)
        : m_svg(std::move(svgTemplate))
        , m_role(role)
    {
    }

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State) override
    {
        painter->save();
        if (mode == QIcon::Disabled)
            painter->setOpacity(painter->opacity() * 0.4);
        renderer()->render(painter, QRectF(rect));
        painter->restore();
    }

    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override
    {
        return scaledPixmap(size, mode, state, 1.0);
    }

    QPixmap scaledPixmap(const QSize &size, QIcon::Mode mode, QIcon::State state,
                         qreal scale) override
    {
        QPixmap pixmap(size * scale);
        pixmap.fill(Qt::transparent);
        pixmap.setDevicePixelRatio(scale);
        QPainter painter(&pixmap);
        paint(&painter, QRect(QPoint(0, 0), size), mode, state);
        return pixmap;
    }

    QIconEngine *clone() const override { return new SvgIconEngine(*this); }
    QString key() const override { return QStringLiteral("ParleySvgIconEngine"); }

private:
    QSvgRenderer *renderer()
    {
        if (m_role) {
            const QColor ink = QApplication::palette().color(*m_role);
            if (!m_renderer || ink != m_ink) {
                QByteArray svg = m_svg;
                svg.replace("currentColor", ink.name(QColor::HexRgb).toLatin1());
                m_renderer = std::make_shared<QSvgRenderer>(svg);
                m_ink = ink;
            }
        }
        return m_renderer.get();
    }

    QByteArray m_svg; // with a role: still with "currentColor"
    std::optional<QPalette::ColorRole> m_role;
    QColor m_ink; // what m_renderer was made with, for a role
    std::shared_ptr<QSvgRenderer> m_renderer; // parsed once, shared by copies (GUI thread only)
};

QByteArray loadSvg(const QString &name)
{
    static const bool registered = (initParleyResources(), true);
    Q_UNUSED(registered);
    QFile file(QStringLiteral(":/icons/%1.svg").arg(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

QIcon icon(const QString &name, const QColor &color)
{
    // Delegates ask for their icons on every paint: each name and colour is made once.
    static QHash<QString, QIcon> cache;
    const QColor ink
        = color.isValid() ? color : QApplication::palette().color(QPalette::WindowText);
    const QString key = name + QLatin1Char('|') + ink.name(QColor::HexArgb);
    if (const auto it = cache.constFind(key); it != cache.constEnd())
        return *it;
    QByteArray svg = loadSvg(name);
    svg.replace("currentColor", ink.name(QColor::HexRgb).toLatin1());
    const QIcon made(new SvgIconEngine(svg));
    cache.insert(key, made);
    return made;
}

QIcon icon(const QString &name, QPalette::ColorRole role)
{
    static QHash<QString, QIcon> cache;
    const QString key = name + QLatin1Char('|') + QString::number(int(role));
    if (const auto it = cache.constFind(key); it != cache.constEnd())
        return *it;
    const QIcon made(new SvgIconEngine(loadSvg(name), role));
    cache.insert(key, made);
    return made;
}

QIcon appIcon()
{
    return QIcon(new SvgIconEngine(loadSvg(QStringLiteral("parley"))));
}

QIcon dot(const QColor &color)
{
    const QByteArray svg = QByteArrayLiteral("<svg xmlns=\"http://www.w3.org/2000/svg\" "
                                             "viewBox=\"0 0 24 24\"><circle cx=\"12\" cy=\"12\" "
                                             "r=\"5\" fill=\"")
        + color.name(QColor::HexRgb).toLatin1() + QByteArrayLiteral("\"/></svg>");
    return QIcon(new SvgIconEngine(svg));
}

} // namespace Parley::Ui::Icons
