// Fuzzes the Phoenix layer's input: the v2 codec and the payload validation every event uses
// (topics, bodies, nicks, ids, limits). Decoding must never crash, and what decodes must
// re-encode to something that decodes to the same message.

#include "protocol/codec.h"
#include "protocol/topics.h"
#include "protocol/validation.h"

#include <QJsonObject>

#include <cstddef>
#include <cstdint>

using namespace Parley::Protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView frame(reinterpret_cast<const char *>(data), qsizetype(size));
    DecodeError error;
    const std::optional<Message> message = decode(frame, &error);
    if (!message)
        return 0;
    const std::optional<Message> again = decode(encode(*message));
    if (!again || again->topic != message->topic || again->event != message->event
        || again->joinRef != message->joinRef || again->ref != message->ref)
        __builtin_trap();

    if (const std::optional<Topic> topic = parseTopic(message->topic)) {
        if (topic->kind == Topic::Room && !isValidRoomName(topic->name))
            __builtin_trap();
        if (topic->kind == Topic::Dm && !(topic->userA < topic->userB))
            __builtin_trap();
    }
    const QJsonObject payload = message->payload.toObject();
    if (const std::optional<QString> body = normalizedBody(payload.value(QLatin1String("body")))) {
        if (body->isEmpty() || body->size() > 2 * maxBodyLength || *body != body->trimmed())
            __builtin_trap();
    }
    (void)normalizedNick(payload.value(QLatin1String("nick")).toString());
    (void)hasControlCharacters(message->event);
    for (const char *key : { "id", "after_id", "before_id", "limit" }) {
        if (const std::optional<qint64> n = integerIn(payload.value(QLatin1String(key)), 0, (qint64(1) << 53) - 1)) {
            if (*n < 0)
                __builtin_trap();
        }
    }
    (void)isValidClientId(payload.value(QLatin1String("client_id")).toString());
    (void)isValidUserId(payload.value(QLatin1String("user_id")).toString());
    return 0;
}
