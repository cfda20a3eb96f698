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

void appendJsonString(QByteArray &out, QStringView text)
{
    static constexpr char hex[] = "0123456789abcdef";
    const auto escape = [&out](char16_t c) {
        out.append("\\u");
        out.append(hex[c >> 12]);
        out.append(hex[(c >> 8) & 0xf]);
        out.append(hex[(c >> 4) & 0xf]);
        out.append(hex[c & 0xf]);
    };
    out.append('"');
    const qsizetype size = text.size();
    for (qsizetype i = 0; i < size; ++i) {
        const char16_t c = text[i].unicode();
        if (c < 0x80) {
            switch (c) {
            case u'"': out.append("\\\""); break;
            case u'\\': out.append("\\\\"); break;
            case u'\b': out.append("\\b"); break;
            case u'\f': out.append("\\f"); break;
            case u'\n': out.append("\\n"); break;
            case u'\r': out.append("\\r"); break;
            case u'\t': out.append("\\t"); break;
            default:
                if (c < 0x20)
                    escape(c);
                else
                    out.append(char(c));
            }
        } else if (c < 0x800) {
            out.append(char(0xc0 | (c >> 6)));
            out.append(char(0x80 | (c & 0x3f)));
        } else if (!QChar::isSurrogate(c)) {
            out.append(char(0xe0 | (c >> 12)));
            out.append(char(0x80 | ((c >> 6) & 0x3f)));
            out.append(char(0x80 | (c & 0x3f)));
        } else if (QChar::isHighSurrogate(c) && i + 1 < size && text[i + 1].isLowSurrogate()) {
            const char32_t u = QChar::surrogateToUcs4(c, text[++i].unicode());
            out.append(char(0xf0 | (u >> 18)));
            out.append(char(0x80 | ((u >> 12) & 0x3f)));
            out.append(char(0x80 | ((u >> 6) & 0x3f)));
            out.append(char(0x80 | (u & 0x3f)));
        } else {
            // A lone surrogate has no UTF-8 form: QJsonDocument writes it as an escape, and so
            // does this, so that it decodes back to the same string.
            escape(c);
        }
    }
    out.append('"');
}

namespace {

void appendRef(QByteArray &out, const QJsonValue &ref)
{
    if (ref.isString())
        appendJsonString(out, ref.toString());
    else
        out.append("null"); // decode() lets only strings and null through
}

void appendPayload(QByteArray &out, const QJsonValue &payload)
{
    switch (payload.type()) {
    case QJsonValue::Object:
        out.append(QJsonDocument(payload.toObject()).toJson(QJsonDocument::Compact));
        break;
    case QJsonValue::Array:
        out.append(QJsonDocument(payload.toArray()).toJson(QJsonDocument::Compact));
        break;
    default: {
        // Scalars: let Qt format them exactly as it would inside an array.
        QByteArray wrapped = QJsonDocument(QJsonArray { payload }).toJson(QJsonDocument::Compact);
        out.append(QByteArrayView(wrapped).sliced(1, wrapped.size() - 2));
    }
    }
}

// [join_ref,ref,topic,event, with the payload still to come.
QByteArray encodeHead(const Message &message, qsizetype payloadSize)
{
    QByteArray out;
    out.reserve(32 + message.topic.size() + message.event.size() + payloadSize);
    out.append('[');
    appendRef(out, message.joinRef);
    out.append(',');
    appendRef(out, message.ref);
    out.append(',');
    appendJsonString(out, message.topic);
    out.append(',');
    appendJsonString(out, message.event);
    out.append(',');
    return out;
}

} // namespace

QByteArray encode(const Message &message)
{
    QByteArray out = encodeHead(message, 64);
    appendPayload(out, message.payload);
    out.append(']');
    return out;
}

QByteArray encode(const Message &message, QByteArrayView payloadJson)
{
    QByteArray out = encodeHead(message, payloadJson.size());
    out.append(payloadJson.data(), payloadJson.size());
    out.append(']');
    return out;
}

} // namespace Parley::Protocol
