// Fuzzes the hub's byte-level input: the HTTP upgrade request parser and the WebSocket frame
// reader (with a small message limit so the size checks are reached), fed in random splits.

#include "hub/wsprotocol.h"

#include <cstddef>
#include <cstdint>

using namespace Parley::Hub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    Ws::Request request;
    qsizetype consumed = 0;
    QString error;
    if (Ws::parseRequest(bytes, &request, &consumed, &error, 4096) == Ws::ParseStatus::Complete) {
        Q_ASSERT(consumed > 0 && consumed <= bytes.size());
        (void)Ws::upgradeError(request);
        (void)Ws::upgradeResponse(request);
    }

    // The first byte picks how the stream is split into reads.
    const qsizetype step = size ? (data[0] % 17) + 1 : 1;
    Ws::FrameReader reader(1024);
    qint64 total = 0;
    for (qsizetype offset = 0; offset < bytes.size() && !reader.hasError(); offset += step) {
        reader.append(bytes.mid(offset, step));
        while (std::optional<Ws::FrameReader::Message> message = reader.next()) {
            total += message->payload.size();
            if (message->opcode == Ws::Text && !Ws::isValidUtf8(message->payload))
                __builtin_trap(); // the reader must never deliver invalid UTF-8 text
            if (message->payload.size() > 1024)
                __builtin_trap(); // nor a message over its limit
        }
    }
    if (reader.hasError() && reader.errorCode() != 1002 && reader.errorCode() != 1007
        && reader.errorCode() != 1009)
        __builtin_trap();
    (void)Ws::frame(Ws::Text, bytes);
    return 0;
}
