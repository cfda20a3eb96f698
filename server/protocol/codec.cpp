#include "protocol/codec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

namespace Parley::Protocol {

namespace {

std::optional<Message> fail(DecodeError *error, DecodeError::Kind kind, const QString &detail)
{
    if (error)
        *error = DecodeError { kind, detail };
    return std::nullopt;
}

bool isRef(const QJsonValue &value)
{
    return value.isString() || value.isNull();
}

} // namespace

std::optional<Message> decode(QByteArrayView frame, DecodeError *error)
{
    QJsonParseError parseError;
    const QJsonDocument document =
            QJsonDocument::fromJson(QByteArray::fromRawData(frame.data(), frame.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(error, DecodeError::NotJson,
                    QStringLiteral("not JSON: %1 at offset %2")
                            .arg(parseError.errorString())
                            .arg(parseError.offset));
    if (!document.isArray())
        return fail(error, DecodeError::NotArray, QStringLiteral("not a JSON array"));
    const QJsonArray array = document.array();
    if (array.size() != 5)
        return fail(error, DecodeError::WrongLength,
                    QStringLiteral("expected 5 elements, got %1").arg(array.size()));
    if (!isRef(array.at(0)))
        return fail(error, DecodeError::BadJoinRef, QStringLiteral("join_ref must be a string or null"));
    if (!isRef(array.at(1)))
        return fail(error, DecodeError::BadRef, QStringLiteral("ref must be a string or null"));
    if (!array.at(2).isString())
        return fail(error, DecodeError::BadTopic, QStringLiteral("topic must be a string"));
    if (!array.at(3).isString())
        return fail(error, DecodeError::BadEvent, QStringLiteral("event must be a string"));
    return Message { array.at(0), array.at(1), array.at(2).toString(), array.at(3).toString(),
                     array.at(4) };
}

QByteArray encode(const Message &message)
{
    const QJsonArray array { message.joinRef, message.ref, message.topic, message.event,
                             message.payload };
    return QJsonDocument(array).toJson(QJsonDocument::Compact);
}

QByteArray encode(const Message &message, QByteArrayView payloadJson)
{
    Message head = message;
    head.payload = QJsonValue::Null;
    QByteArray bytes = encode(head); // [...,null]
    Q_ASSERT(bytes.endsWith("null]"));
    bytes.chop(5);
    bytes.append(payloadJson.data(), payloadJson.size());
    bytes.append(']');
    return bytes;
}

} // namespace Parley::Protocol
