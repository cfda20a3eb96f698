#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <deque>

namespace Parley::Hub {

// Checks a signed connect (docs/protocol.md, "Identity (signed connect)") in two steps:
// verify() looks at the connect alone (the form of key, ts, sig and user_id, the hub's clock
// window, the Ed25519 signature over this hub's own binding: its fingerprint or its id, never
// what the request says). It is pure and thread-safe, so the hub
// runs it on a worker thread: a signature check costs ~0.1 ms, which a connect storm would
// otherwise take from the hub thread. admit() then refuses a signed connect accepted within the
// replay window, and accept() remembers one.
//
// The replay memory holds each accepted signature for the replay window, and never more than
// maxEntries of them: a flood of distinct signed connects (anyone can make keys) evicts the
// oldest, and from then on a connect whose ts is not newer than an evicted one is refused as
// replayed, so an evicted signature can never be accepted again. An object is owned by the Hub
// and used on the hub thread.
class ConnectVerifier
{
public:
    enum class Outcome { Accepted, BadParams, ClockSkew, Unauthorized, Replayed };

    struct Params
    {
        QString binding; // this hub's own: Identity::fingerprintBinding() or hubIdBinding()
        QString key, ts, sig, userId; // the connect params
    };

    struct Result
    {
        Outcome outcome = Outcome::BadParams;
        QString userId; // the verified user_id (Accepted only)
        QString reason; // the close reason for a refusal: bad_params, clock_skew:HUB_TS, ...
        qint64 ts = 0;
        QByteArray signatureId; // identifies the signed connect in the replay memory
    };

    explicit ConnectVerifier(int maxEntries = 100'000) : m_maxEntries(maxEntries) { }

    // The connect alone, at the hub's wall-clock time nowMs (Unix ms). Any thread.
    static Result verify(const Params &params, qint64 nowMs);
    // A verified connect (verify() said Accepted) becomes Replayed if it was accepted before.
    Result admit(Result verified, qint64 nowMs);
    // verify() then admit(), on the calling thread.
    Result check(const Params &params, qint64 nowMs) { return admit(verify(params, nowMs), nowMs); }
    // Records an accepted connect (once every other check of it passed too: hub password,
    // capacity), so that the same signed connect is refused as replayed from now on.
    void accept(const Result &result, qint64 nowMs);

    int size() const { return int(m_seen.size()); }

private:
    void expire(qint64 nowMs);

    struct Entry
    {
        QByteArray id; // Result::signatureId
        qint64 ts;
        qint64 expiresMs;
    };
    int m_maxEntries;
    QHash<QByteArray, qint64> m_seen; // id -> expiry
    std::deque<Entry> m_order; // in acceptance order, so in expiry order
    qint64 m_evictedTs = -1; // newest ts evicted early; connects not newer are refused
};

} // namespace Parley::Hub
