// parley-loadgen: per-member delivery accounting and presence views (see tracking.h).
#include "tracking.h"

#include "identity.h"

#include <algorithm>

namespace loadgen {

DeliveryTracker g_deliveries;
PresenceViews g_presence;

// ---- deliveries ---------------------------------------------------------------------------

void DeliveryTracker::begin(size_t rooms)
{
    m_sentPerRoom.assign(rooms, 0);
    m_messages.assign(rooms, {});
    for (Client &c : g_clients) {
        c.seqNext = 0;
        c.seqGaps = 0;
        c.seqDuplicates = 0;
        c.owedUntil = UINT64_MAX;
        c.measured = c.counted;
    }
}

void DeliveryTracker::onSent(int room, uint64_t seq, int members)
{
    std::vector<Sent> &messages = m_messages[size_t(room)];
    if (messages.size() <= seq)
        messages.resize(seq + 1);
    messages[seq].members = members;
    m_sentPerRoom[size_t(room)] = std::max(m_sentPerRoom[size_t(room)], seq + 1);
}

void DeliveryTracker::onReceived(Client &c, uint64_t seq, int64_t latencyNs)
{
    if (!c.measured || size_t(c.room) >= m_messages.size())
        return;
    if (seq < c.seqNext) {
        ++c.seqDuplicates;
        return;
    }
    c.seqGaps += seq - c.seqNext;
    c.seqNext = seq + 1;
    std::vector<Sent> &messages = m_messages[size_t(c.room)];
    if (seq < messages.size()) {
        Sent &sent = messages[seq];
        ++sent.received;
        sent.slowestNs = std::max(sent.slowestNs, latencyNs);
    }
}

void DeliveryTracker::onLeft(Client &c)
{
    if (c.measured && c.owedUntil == UINT64_MAX && size_t(c.room) < m_sentPerRoom.size())
        c.owedUntil = m_sentPerRoom[size_t(c.room)];
}

DeliveryTracker::Result DeliveryTracker::finish(const std::vector<Client> &clients) const
{
    Result result;
    for (const Client &c : clients) {
        if (!c.measured || size_t(c.room) >= m_sentPerRoom.size())
            continue;
        const uint64_t owed = std::min(c.owedUntil, m_sentPerRoom[size_t(c.room)]);
        const uint64_t seen = std::min(c.seqNext, owed);
        const uint64_t gapsBefore = std::min(c.seqGaps, seen);
        result.expected += owed;
        result.unique += seen - gapsBefore;
        result.lost += owed - (seen - gapsBefore);
        result.duplicates += c.seqDuplicates;
    }
    for (const std::vector<Sent> &room : m_messages) {
        for (const Sent &sent : room) {
            if (sent.members > 0 && sent.received >= sent.members) {
                ++result.messagesComplete;
                result.lastRecipient.record(sent.slowestNs);
            }
        }
    }
    return result;
}

// ---- presence JSON ------------------------------------------------------------------------

namespace {

void skipSpace(std::string_view s, size_t &p)
{
    while (p < s.size() && (s[p] == ' ' || s[p] == '\n' || s[p] == '\r' || s[p] == '\t'))
        ++p;
}

// A JSON string at p (its raw text between the quotes; escapes are kept as they are).
bool readString(std::string_view s, size_t &p, std::string_view &out)
{
    skipSpace(s, p);
    if (p >= s.size() || s[p] != '"')
        return false;
    const size_t start = ++p;
    while (p < s.size() && s[p] != '"')
        p += s[p] == '\\' ? 2 : 1;
    if (p >= s.size())
        return false;
    out = s.substr(start, p - start);
    ++p;
    return true;
}

bool expect(std::string_view s, size_t &p, char ch)
{
    skipSpace(s, p);
    if (p >= s.size() || s[p] != ch)
        return false;
    ++p;
    return true;
}

bool skipValue(std::string_view s, size_t &p, int depth = 0)
{
    skipSpace(s, p);
    if (p >= s.size() || depth > 32)
        return false;
    std::string_view ignored;
    switch (s[p]) {
    case '"':
        return readString(s, p, ignored);
    case '{':
    case '[': {
        const char close = s[p] == '{' ? '}' : ']';
        const bool object = s[p] == '{';
        ++p;
        skipSpace(s, p);
        if (p < s.size() && s[p] == close) {
            ++p;
            return true;
        }
        while (true) {
            if (object && (!readString(s, p, ignored) || !expect(s, p, ':')))
                return false;
            if (!skipValue(s, p, depth + 1))
                return false;
            skipSpace(s, p);
            if (p < s.size() && s[p] == ',') {
                ++p;
                continue;
            }
            return expect(s, p, close);
        }
    }
    default:
        while (p < s.size() && s[p] != ',' && s[p] != '}' && s[p] != ']' && s[p] != ' ')
            ++p;
        return true;
    }
}

// Calls field(name, valueStart) for each member of the object at p; field must consume the
// value (or return false). Leaves p after the closing brace.
bool forEachField(std::string_view s, size_t &p,
                  const std::function<bool(std::string_view name, size_t &p)> &field)
{
    if (!expect(s, p, '{'))
        return false;
    skipSpace(s, p);
    if (p < s.size() && s[p] == '}') {
        ++p;
        return true;
    }
    while (true) {
        std::string_view name;
        if (!readString(s, p, name) || !expect(s, p, ':') || !field(name, p))
            return false;
        skipSpace(s, p);
        if (p < s.size() && s[p] == ',') {
            ++p;
            continue;
        }
        return expect(s, p, '}');
    }
}

uint64_t hashRef(std::string_view ref)
{
    uint64_t h = 1469598103934665603ull; // FNV-1a
    for (char ch : ref)
        h = (h ^ uint8_t(ch)) * 1099511628211ull;
    return h ? h : 1;
}

} // namespace

bool forEachPresenceMeta(std::string_view json,
                         const std::function<void(std::string_view key, std::string_view ref)> &entry)
{
    size_t p = 0;
    return forEachField(json, p, [&](std::string_view key, size_t &q) {
        return forEachField(json, q, [&](std::string_view name, size_t &r) {
            if (name != "metas")
                return skipValue(json, r);
            if (!expect(json, r, '['))
                return false;
            skipSpace(json, r);
            if (r < json.size() && json[r] == ']') {
                ++r;
                return true;
            }
            while (true) {
                std::string_view ref;
                const bool ok = forEachField(json, r, [&](std::string_view metaField, size_t &t) {
                    if (metaField == "phx_ref")
                        return readString(json, t, ref);
                    return skipValue(json, t);
                });
                if (!ok)
                    return false;
                entry(key, ref);
                skipSpace(json, r);
                if (r < json.size() && json[r] == ',') {
                    ++r;
                    continue;
                }
                return expect(json, r, ']');
            }
        });
    });
}

bool splitPresenceDiff(std::string_view payload, std::string_view &joins, std::string_view &leaves)
{
    size_t p = 0;
    joins = leaves = {};
    return forEachField(payload, p, [&](std::string_view name, size_t &q) {
        skipSpace(payload, q);
        const size_t start = q;
        if (!skipValue(payload, q))
            return false;
        if (name == "joins")
            joins = payload.substr(start, q - start);
        else if (name == "leaves")
            leaves = payload.substr(start, q - start);
        return true;
    });
}

// ---- presence views -----------------------------------------------------------------------

void PresenceViews::reset(size_t members, size_t keys)
{
    m_keys = keys;
    m_views.assign(members, std::vector<uint64_t>(keys, 0));
    m_ops.assign(members, std::vector<uint32_t>(keys, 0));
}

long PresenceViews::keyIndex(std::string_view key) const
{
    const long index = clientOfUserId(key);
    return index >= 0 && size_t(index) < m_keys ? index : -1;
}

void PresenceViews::applyState(const Client &c, std::string_view map)
{
    if (!tracks(c))
        return;
    std::vector<uint64_t> &view = m_views[c.index];
    std::fill(view.begin(), view.end(), 0);
    forEachPresenceMeta(map, [&](std::string_view key, std::string_view ref) {
        const long k = keyIndex(key);
        if (k >= 0)
            view[size_t(k)] = hashRef(ref);
    });
}

void PresenceViews::applyDiff(const Client &c, std::string_view payload,
                              const std::function<void(uint32_t key, bool isJoin)> &onOp)
{
    std::string_view joins, leaves;
    if (!splitPresenceDiff(payload, joins, leaves))
        return;
    std::vector<uint64_t> *view = tracks(c) ? &m_views[c.index] : nullptr;
    forEachPresenceMeta(joins, [&](std::string_view key, std::string_view ref) {
        const long k = keyIndex(key);
        if (k < 0)
            return;
        if (view) {
            (*view)[size_t(k)] = hashRef(ref);
            ++m_ops[c.index][size_t(k)];
        }
        onOp(uint32_t(k), true);
    });
    forEachPresenceMeta(leaves, [&](std::string_view key, std::string_view ref) {
        const long k = keyIndex(key);
        if (k < 0)
            return;
        if (view) {
            if ((*view)[size_t(k)] == hashRef(ref))
                (*view)[size_t(k)] = 0;
            ++m_ops[c.index][size_t(k)];
        }
        onOp(uint32_t(k), false);
    });
}

size_t PresenceViews::keyCount(const Client &c) const
{
    if (!tracks(c))
        return 0;
    const std::vector<uint64_t> &view = m_views[c.index];
    return size_t(std::count_if(view.begin(), view.end(), [](uint64_t ref) { return ref != 0; }));
}

bool PresenceViews::equals(const Client &c, const std::function<bool(uint32_t key)> &present) const
{
    if (!tracks(c))
        return false;
    const std::vector<uint64_t> &view = m_views[c.index];
    for (size_t k = 0; k < view.size(); ++k) {
        if ((view[k] != 0) != present(uint32_t(k)))
            return false;
    }
    return true;
}

} // namespace loadgen
