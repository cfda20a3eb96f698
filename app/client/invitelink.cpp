#include "client/invitelink.h"

#include "protocol/fingerprint.h"
#include "protocol/topics.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QRegularExpression>
#include <QUrlQuery>

namespace Parley::Client {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Parley::Client::InviteLink", text);
}

bool isHubId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    return pattern.match(id).hasMatch();
}

} // namespace

bool InviteLink::isInvite(const QString &text)
{
    return text.trimmed().startsWith(QStringLiteral("parley:"), Qt::CaseInsensitive);
}

std::optional<InviteLink> InviteLink::parse(const QString &text, QString *error)
{
    const auto refuse = [error](const QString &why) -> std::optional<InviteLink> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    const QString trimmed = text.trimmed();
    if (trimmed.size() > 2048)
        return refuse(tr("This invite link is too long to be a Parley link."));
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid() || url.scheme().compare(scheme, Qt::CaseInsensitive) != 0)
        return refuse(tr("This is not a Parley invite link (it should start with parley://)."));
    if (url.host().isEmpty())
        return refuse(tr("The invite link names no hub address."));
    if (!url.userInfo().isEmpty() || !url.fragment().isEmpty()
        || (!url.path().isEmpty() && url.path() != QLatin1String("/")))
        return refuse(tr("The invite link has parts a Parley link never has."));
    const int port = url.port();
    if (port < 1 || port > 65535)
        return refuse(tr("The invite link names no port (HOST:PORT)."));

    const QUrlQuery query(url);
    const auto single = [&query](const QString &key, bool *twice) {
        const QStringList values = query.allQueryItemValues(key, QUrl::FullyDecoded);
        *twice = *twice || values.size() > 1;
        return values.value(0);
    };
    bool twice = false;
    InviteLink link;
    link.hubId = single(QStringLiteral("hub"), &twice);
    const QString fp = single(QStringLiteral("fp"), &twice);
    link.room = single(QStringLiteral("room"), &twice);
    if (twice)
        return refuse(tr("The invite link gives the same part twice."));
    for (const auto &item : query.queryItems()) {
        if (item.first != QLatin1String("hub") && item.first != QLatin1String("fp")
            && item.first != QLatin1String("room"))
            return refuse(tr("The invite link has an unknown part “%1”.").arg(item.first.left(40)));
    }
    if (!isHubId(link.hubId))
        return refuse(tr("The invite link has no valid hub id."));
    if (query.hasQueryItem(QStringLiteral("fp"))) {
        link.fingerprint = Protocol::Fingerprint::normalized(fp);
        if (link.fingerprint.isEmpty())
            return refuse(tr("The invite link's certificate fingerprint is not 64 hexadecimal "
                             "digits: the link was cut or changed. Ask for it again."));
    }
    if (query.hasQueryItem(QStringLiteral("room")) && !Protocol::isValidRoomName(link.room))
        return refuse(tr("The invite link names a room that cannot exist."));

    // Without a fingerprint: "ask", never plain (docs/protocol.md, "No downgrade"). A hub that
    // really runs without encryption is reached that way only once the user chose it.
    link.mountUrl.setScheme(QStringLiteral("wss"));
    link.mountUrl.setHost(url.host());
    link.mountUrl.setPort(port);
    link.mountUrl.setPath(QStringLiteral("/socket"));
    return link;
}

QString InviteLink::toString() const
{
    QUrl url;
    url.setScheme(QString(scheme));
    url.setHost(mountUrl.host());
    url.setPort(mountUrl.port());
    url.setPath(QStringLiteral("/"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("hub"), hubId);
    if (!fingerprint.isEmpty())
        query.addQueryItem(QStringLiteral("fp"), fingerprint);
    if (!room.isEmpty())
        query.addQueryItem(QStringLiteral("room"), room);
    url.setQuery(query);
    return url.toString(QUrl::FullyEncoded);
}

} // namespace Parley::Client
