#pragma once

#include "protocol/message.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace Parley::Protocol {

// Why a frame could not be decoded. Every kind is a malformed frame (close 1007 on the hub).
struct DecodeError
{
    enum Kind { NotJson, NotArray, WrongLength, BadJoinRef, BadRef, BadTopic, BadEvent };
    Kind kind = NotJson;
    QString detail;
};

// The serializer 2.0.0 codec: text frames holding exactly [join_ref, ref, topic, event, payload].
// join_ref and ref must be strings or null, topic and event strings; payload is any JSON value.
std::optional<Message> decode(QByteArrayView frame, DecodeError *error = nullptr);

// Compact JSON, the shape phoenix.js parses. Payloads are written as given.
QByteArray encode(const Message &message);
// The same with a payload that is already compact JSON (message.payload is ignored): for big
// payloads kept encoded, such as a room's presence state.
QByteArray encode(const Message &message, QByteArrayView payloadJson);

// Appends `text` as a JSON string literal, escaped as QJsonDocument escapes it (", \\, control
// characters; everything else as UTF-8). For payloads written without building a QJsonObject.
void appendJsonString(QByteArray &out, QStringView text);

} // namespace Parley::Protocol
