#pragma once

#include <QByteArray>
#include <QList>

#include <utility>

namespace Parley::Hub {

// What a client sends between its open and the acceptance of its signed connect (verified off
// the hub thread): kept, in order, and handled once the connect is accepted, exactly as if it
// had come after (the rate limit included). phoenix.js sends a heartbeat and its joins right
// after the open; a bot may pipeline a few hundred small frames. Bounded by bytes, each frame
// counted with what keeping it costs, so neither many tiny frames nor a few large ones can
// grow a connection that is not even let in yet.
class EarlyFrames
{
public:
    static constexpr qint64 maxBytes = 256 * 1024;
    static constexpr qint64 perFrameCost = 64; // the QByteArray and the list slot

    // Keeps `frame`; false (keeping nothing more) once the bound is passed.
    bool keep(const QByteArray &frame)
    {
        m_bytes += frame.size() + perFrameCost;
        if (m_bytes > maxBytes)
            return false;
        m_frames.append(frame);
        return true;
    }
    QList<QByteArray> take()
    {
        m_bytes = 0;
        return std::exchange(m_frames, {});
    }

private:
    QList<QByteArray> m_frames;
    qint64 m_bytes = 0;
};

} // namespace Parley::Hub
