// Fuzzes the Phoenix layer's input: the v2 codec and the payload validation every event uses
// (topics, bodies, nicks, ids, limits). Decoding must never crash, what decodes must re-encode
// to something that decodes to the same message (payload included), and each validator must
// only accept what its rule allows.

#include "fuzzcheck.h"
#include "protocol/codec.h"
#include "protocol/topics.h"
#include "protocol/validation.h"

#include <QJsonObject>

#include <cmath>

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
    FUZZ_CHECK(again && *again == *message);

    if (const std::optional<Topic> topic = parseTopic(message->topic)) {
        FUZZ_CHECK(topic->kind != Topic::Room || isValidRoomName(topic->name));
        FUZZ_CHECK(topic->kind != Topic::Dm || topic->userA < topic->userB);
    }
    const QJsonObject payload = message->payload.toObject();
    if (const std::optional<QString> body = normalizedBody(payload.value(QLatin1String("body"))))
        FUZZ_CHECK(!body->isEmpty() && body->size() <= 2 * maxBodyLength && *body == body->trimmed());
    if (const std::optional<QString> nick = normalizedNick(payload.value(QLatin1String("nick")).toString()))
        FUZZ_CHECK(!nick->isEmpty() && !hasControlCharacters(*nick) && *nick == nick->trimmed());
    (void)hasControlCharacters(message->event);
    // integerIn accepts exactly the integral numbers inside its range, and returns them unchanged.
    constexpr qint64 lo = 1, hi = (qint64(1) << 53) - 1;
    for (const char *key : { "id", "after_id", "before_id", "limit" }) {
        const QJsonValue value = payload.value(QLatin1String(key));
        const std::optional<qint64> n = integerIn(value, lo, hi);
        const double number = value.toDouble();
        const bool integral = value.isDouble() && std::isfinite(number) && std::floor(number) == number
                && number >= double(lo) && number <= double(hi);
        FUZZ_CHECK(n.has_value() == integral);
        FUZZ_CHECK(!n || (*n >= lo && *n <= hi && double(*n) == number));
    }
    (void)isValidClientId(payload.value(QLatin1String("client_id")).toString());
    (void)isValidUserId(payload.value(QLatin1String("user_id")).toString());
    return 0;
}
