// Fuzzes the hub's byte-level input: the HTTP upgrade request parser and the WebSocket frame
// reader (with a small message limit so the size checks are reached), fed in random splits.

#include "fuzzcheck.h"
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
        FUZZ_CHECK(consumed > 0 && consumed <= bytes.size());
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
            // The reader never delivers invalid UTF-8 text, nor a message over its limit.
            FUZZ_CHECK(message->opcode != Ws::Text || Ws::isValidUtf8(message->payload));
            FUZZ_CHECK(message->payload.size() <= 1024);
        }
    }
    FUZZ_CHECK(!reader.hasError() || reader.errorCode() == 1002 || reader.errorCode() == 1007
               || reader.errorCode() == 1009);
    (void)Ws::frame(Ws::Text, bytes);
    return 0;
}
