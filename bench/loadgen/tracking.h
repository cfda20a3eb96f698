// parley-loadgen: exact accounting of what each client received, so that no verdict rests on
// totals that duplicates could balance out.
//
// Deliveries (fanout, rooms, slow-consumer): each room's publisher numbers its messages from 0
// in the measured phase ("s=<seq>" in the body), and every member expects them in that order
// (one publisher per topic, TCP, and a hub that broadcasts in accept order). Per member, a
// number seen again is a duplicate, a skipped number a loss; the loss of a run is the sum over
// members. The slowest recipient of each message gives that message's broadcast completion
// time ("last recipient", B5).
//
// Presence (presence-churn): every member keeps the presence list its frames describe
// (presence_state, then each presence_diff applied as phoenix.js's syncDiff does: joins, then
// leaves by phx_ref), so the end of a run can compare every member's list with the truth (B8).
#pragma once

#include "stats.h"
#include "wsclient.h"

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace loadgen {

class DeliveryTracker
{
public:
    // The measured phase starts: every room's numbering restarts at 0.
    void begin(size_t rooms);
    // The publisher of `room` sent message `seq` to `members` counted members.
    void onSent(int room, uint64_t seq, int members);
    // A counted member received message `seq` of its room, `latencyNs` after it was sent.
    void onReceived(Client &c, uint64_t seq, int64_t latencyNs);
    // A counted member stops counting (dropped, or made slow): it owes nothing sent later.
    void onLeft(Client &c);

    struct Result
    {
        uint64_t expected = 0; // messages owed to the members, each counted once per member
        uint64_t unique = 0; // of those, received (once or more)
        uint64_t duplicates = 0; // received again, or out of order
        uint64_t lost = 0; // owed and never received
        uint64_t messagesComplete = 0; // messages every member received
        Histogram lastRecipient; // per complete message: the slowest recipient's latency
    };
    // Counts what `clients` received (call after the drain).
    Result finish(const std::vector<Client> &clients) const;

private:
    struct Sent
    {
        int members = 0;
        int received = 0;
        int64_t slowestNs = 0;
    };
    std::vector<uint64_t> m_sentPerRoom; // messages sent so far, per room
    std::vector<std::vector<Sent>> m_messages; // per room, per seq
};

// Calls `entry(key, phxRef)` for every meta of a Phoenix presence map
// {"KEY": {"metas": [{..., "phx_ref": "REF", ...}, ...]}, ...}. False if `json` is not one.
bool forEachPresenceMeta(std::string_view json,
                         const std::function<void(std::string_view key, std::string_view ref)> &entry);
// Splits a presence_diff payload {"joins": MAP, "leaves": MAP} into its two maps.
bool splitPresenceDiff(std::string_view payload, std::string_view &joins, std::string_view &leaves);

class PresenceViews
{
public:
    // One view per member index below `members`, each able to hold keys of `keys` clients.
    void reset(size_t members, size_t keys);
    bool tracks(const Client &c) const { return c.index < m_views.size(); }
    // presence_state: the view becomes exactly this map.
    void applyState(const Client &c, std::string_view map);
    // presence_diff: joins add (or replace) a key's meta, then leaves remove a meta whose
    // phx_ref matches. Calls onOp(client index, isJoin) for each key in the diff.
    void applyDiff(const Client &c, std::string_view payload,
                   const std::function<void(uint32_t key, bool isJoin)> &onOp);
    // True if member `c`'s view holds exactly the keys for which present(key) is true.
    bool equals(const Client &c, const std::function<bool(uint32_t key)> &present) const;
    // True if members a and b hold the same keys with the same phx_refs.
    bool sameView(const Client &a, const Client &b) const
    {
        return m_views[a.index] == m_views[b.index];
    }
    size_t keyCount(const Client &c) const;
    // Joins and leaves of `key` that member `c` received in diffs since reset().
    uint32_t opsReceived(const Client &c, uint32_t key) const { return m_ops[c.index][key]; }

private:
    // Presence key (a user_id) -> the index of the client it belongs to, or -1.
    long keyIndex(std::string_view key) const;
    std::vector<std::vector<uint64_t>> m_views; // per member: per key, hash of its phx_ref (0: absent)
    std::vector<std::vector<uint32_t>> m_ops; // per member: per key, joins and leaves received
    size_t m_keys = 0;
};

extern DeliveryTracker g_deliveries;
extern PresenceViews g_presence;

} // namespace loadgen
