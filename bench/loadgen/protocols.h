// parley-loadgen: Phoenix Channels v2 and Engine.IO 4 / Socket.IO 5 messages, and what a
// client does with the replies (join, leave, push acknowledgements).
#pragma once

#include "wsclient.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

extern std::vector<std::string> g_topics;
extern std::vector<int> g_roomMembers; // joined, counted members per room
extern bool g_measuring;
extern int64_t g_measureStartNs;
extern int g_joinsDone;
extern int64_t g_lastJoinNs;
extern int g_roomsToCreate;

// ---- encoding -----------------------------------------------------------------------------

void sendUpgrade(Client &c);
void sendPush(Client &c, const std::string &topic, const char *event, std::string_view payload,
              uint64_t ref, uint64_t joinRef);
void sendJoin(Client &c);
void sendLeave(Client &c);
void sendHeartbeat(Client &c);
void sendMessage(Client &c, uint64_t seq);

// ---- decoding -----------------------------------------------------------------------------

// One complete text message from the server.
void onText(Client &c, std::string_view text, int64_t now);
// Called when a connection is ready for its first channel op (Ready) and with the join result.
void onJoined(Client &c, bool ok);
// `rateLimited`: an error reply whose reason is rate_limited (the hub's default 30 events/s).
void onReply(Client &c, uint64_t ref, bool ok, int64_t now, bool rateLimited = false);
// Room creation by the setup client: rooms whose create_room was refused as rate_limited are
// sent again once due; call from the setup loop.
void resendRateLimitedCreates(Client &setup, int64_t now);

} // namespace loadgen
