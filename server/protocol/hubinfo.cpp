#include "protocol/hubinfo.h"

#include "protocol/fingerprint.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Parley::Protocol {

namespace {
constexpr qsizetype maxHubIdLength = 64; // as an invite link's hub id
constexpr qsizetype maxNameLength = 200;
} // namespace

QByteArray HubInfo::toJson() const
{
    const QJsonObject object { { QLatin1String("hub_id"), hubId },
                               { QLatin1String("name"), name },
                               { QLatin1String("tls"), isTls() },
                               { QLatin1String("fp"),
                                 isTls() ? QJsonValue(fingerprint) : QJsonValue() },
                               { QLatin1String("protocol"), protocol } };
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

std::optional<HubInfo> HubInfo::fromJson(QByteArrayView json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    const QJsonObject object = document.object();
    const QJsonValue id = object.value(QLatin1String("hub_id"));
    const QJsonValue name = object.value(QLatin1String("name"));
    const QJsonValue tls = object.value(QLatin1String("tls"));
    const QJsonValue fp = object.value(QLatin1String("fp"));
    const QJsonValue protocol = object.value(QLatin1String("protocol"));
    if (!id.isString() || id.toString().isEmpty() || id.toString().size() > maxHubIdLength
        || !name.isString() || name.toString().size() > maxNameLength || !tls.isBool()
        || !protocol.isDouble())
        return std::nullopt;
    HubInfo info;
    info.hubId = id.toString();
    info.name = name.toString();
    info.protocol = protocol.toInt();
    if (tls.toBool()) {
        // Exactly the 64-digit form the hub writes, nothing that merely normalizes to it.
        const QString fingerprint = fp.toString();
        if (!fp.isString() || Fingerprint::normalized(fingerprint) != fingerprint)
            return std::nullopt;
        info.fingerprint = fingerprint;
    } else if (!fp.isNull()) {
        return std::nullopt;
    }
    return info;
}

} // namespace Parley::Protocol
