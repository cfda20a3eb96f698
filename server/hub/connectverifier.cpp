#include "hub/connectverifier.h"

#include "protocol/events.h"
#include "protocol/identity.h"

namespace Parley::Hub {

using namespace Parley::Protocol;

ConnectVerifier::Result ConnectVerifier::verify(const Params &params, qint64 nowMs)
{
    Result result;
    const std::optional<Identity::SignedConnect> connect
            = Identity::parseSignedConnect(params.key, params.ts, params.sig, params.userId);
    if (!connect || params.binding.isEmpty()) {
        result.reason = Reason::BadParams;
        return result;
    }
    if (qAbs(connect->ts - nowMs) > Identity::clockWindowMs) {
        result.outcome = Outcome::ClockSkew;
        result.reason = Reason::ClockSkew + QString::number(nowMs);
        return result;
    }
    if (!Identity::verify(connect->publicKey,
                          Identity::connectMessage(params.binding, connect->ts, connect->userId),
                          connect->signature)) {
        result.outcome = Outcome::Unauthorized;
        result.reason = Reason::Unauthorized;
        return result;
    }
    // An Ed25519 signature is a function of the key and the message: its first half (R) names
    // the signed connect. 16 bytes of it are plenty to tell connects apart.
    result.signatureId = connect->signature.left(16);
    result.ts = connect->ts;
    result.outcome = Outcome::Accepted;
    result.userId = connect->userId;
    return result;
}

ConnectVerifier::Result ConnectVerifier::admit(Result verified, qint64 nowMs)
{
    expire(nowMs);
    if (verified.outcome == Outcome::Accepted
        && (m_seen.contains(verified.signatureId) || verified.ts <= m_evictedTs)) {
        verified.outcome = Outcome::Replayed;
        verified.reason = Reason::Replayed;
        verified.userId.clear();
    }
    return verified;
}

void ConnectVerifier::accept(const Result &result, qint64 nowMs)
{
    if (result.outcome != Outcome::Accepted || m_seen.contains(result.signatureId))
        return;
    expire(nowMs);
    while (int(m_order.size()) >= m_maxEntries && !m_order.empty()) {
        const Entry &oldest = m_order.front();
        m_evictedTs = qMax(m_evictedTs, oldest.ts);
        m_seen.remove(oldest.id);
        m_order.pop_front();
    }
    const qint64 expires = nowMs + Identity::replayWindowMs;
    m_seen.insert(result.signatureId, expires);
    m_order.push_back(Entry { result.signatureId, result.ts, expires });
}

void ConnectVerifier::expire(qint64 nowMs)
{
    while (!m_order.empty() && m_order.front().expiresMs <= nowMs) {
        m_seen.remove(m_order.front().id);
        m_order.pop_front();
    }
}

} // namespace Parley::Hub
