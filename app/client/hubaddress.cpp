#include "client/hubaddress.h"

#include <QObject>

namespace Parley::Client {

std::optional<QUrl> parseHubAddress(const QString &text, QString *errorOut)
{
    QString ignored;
    QString *error = errorOut ? errorOut : &ignored;
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        *error = QObject::tr("Enter the hub's address, e.g. 192.168.1.20:4000.");
        return std::nullopt;
    }
    QUrl url;
    if (trimmed.contains(QLatin1String("://"))) {
        url = QUrl(trimmed, QUrl::StrictMode);
        if (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss")) {
            *error = QObject::tr("Only wss:// and ws:// addresses are supported.");
            return std::nullopt;
        }
    } else {
        // Hubs are encrypted unless started with --no-tls: a bare address means wss://.
        url = QUrl(QStringLiteral("wss://") + trimmed, QUrl::StrictMode);
    }
    if (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty()
        || (url.path() != QLatin1String("/socket") && !url.path().isEmpty()
            && url.path() != QLatin1String("/"))) {
        *error = QObject::tr("“%1” is not a hub address (host:port).").arg(trimmed);
        return std::nullopt;
    }
    if (url.port() == 0) {
        *error = QObject::tr("The port must be from 1 to 65535.");
        return std::nullopt;
    }
    QUrl mount;
    mount.setScheme(url.scheme());
    mount.setHost(url.host());
    mount.setPort(url.port(defaultHubPort));
    mount.setPath(QStringLiteral("/socket"));
    return mount;
}

QString hubAddressText(const QUrl &mountUrl)
{
    const QString host = mountUrl.host().contains(QLatin1Char(':'))
        ? QStringLiteral("[%1]").arg(mountUrl.host())
        : mountUrl.host();
    return QStringLiteral("%1:%2").arg(host).arg(mountUrl.port(defaultHubPort));
}

} // namespace Parley::Client
