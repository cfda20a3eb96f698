#include "hub/passwordthrottle.h"

#include <algorithm>

namespace Parley::Hub {

namespace {
constexpr qint64 forgetAfterMs = 60'000;
constexpr qint64 firstDelayMs = 100;
constexpr qint64 maxDelayMs = 5'000;
constexpr int maxRecords = 4096;
} // namespace

qint64 PasswordThrottle::failed(const QHostAddress &address, qint64 nowMs)
{
    forgetOld(nowMs);
    Record &record = m_records[address.toString()];
    if (nowMs - record.lastMs > forgetAfterMs)
        record.failures = 0;
    ++record.failures;
    record.lastMs = nowMs;
    const int doublings = std::min(record.failures - 1, 16);
    return std::min(maxDelayMs, firstDelayMs << doublings);
}

void PasswordThrottle::succeeded(const QHostAddress &address)
{
    m_records.remove(address.toString());
}

int PasswordThrottle::failures(const QHostAddress &address, qint64 nowMs) const
{
    const auto it = m_records.constFind(address.toString());
    if (it == m_records.cend() || nowMs - it->lastMs > forgetAfterMs)
        return 0;
    return it->failures;
}

void PasswordThrottle::forgetOld(qint64 nowMs)
{
    if (m_records.size() < maxRecords)
        return;
    m_records.removeIf([nowMs](const auto &it) { return nowMs - it.value().lastMs > forgetAfterMs; });
}

} // namespace Parley::Hub
