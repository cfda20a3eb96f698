#pragma once

#include <QLatin1String>

// Event names, reasons and topics of the wire protocol (docs/protocol.md), in one place so the
// hub, the client and the tests cannot drift apart.
namespace Parley::Protocol {

namespace Event {
inline const QLatin1String Join("phx_join");
inline const QLatin1String Leave("phx_leave");
inline const QLatin1String Reply("phx_reply");
inline const QLatin1String Close("phx_close");
inline const QLatin1String Error("phx_error");
inline const QLatin1String Heartbeat("heartbeat");
inline const QLatin1String PresenceState("presence_state");
inline const QLatin1String PresenceDiff("presence_diff");
inline const QLatin1String PresenceSummary("presence_summary");
inline const QLatin1String CreateRoom("create_room");
inline const QLatin1String SetStatus("set_status");
inline const QLatin1String RoomsChanged("rooms_changed");
inline const QLatin1String DirectMessage("direct_message");
inline const QLatin1String NewMsg("new_msg");
inline const QLatin1String History("history");
inline const QLatin1String Typing("typing");
inline const QLatin1String EditMsg("edit_msg");
inline const QLatin1String DeleteMsg("delete_msg");
inline const QLatin1String MsgEdited("msg_edited");
inline const QLatin1String MsgDeleted("msg_deleted");
} // namespace Event

// Presence statuses (the `status` of a meta; set_status and the lobby join).
namespace Status {
inline const QLatin1String Online("online");
inline const QLatin1String Away("away");
inline const QLatin1String Busy("busy");
} // namespace Status

namespace Reason {
inline const QLatin1String UnmatchedTopic("unmatched topic");
inline const QLatin1String TooManyChannels("too many channels joined");
inline const QLatin1String Unauthorized("unauthorized");
inline const QLatin1String NoSuchRoom("no_such_room");
inline const QLatin1String InvalidName("invalid_name");
inline const QLatin1String Exists("exists");
inline const QLatin1String TooManyRooms("too_many_rooms");
inline const QLatin1String InvalidStatus("invalid_status");
inline const QLatin1String InvalidBody("invalid_body");
inline const QLatin1String InvalidPayload("invalid_payload");
inline const QLatin1String RateLimited("rate_limited");
inline const QLatin1String NotFound("not_found");
inline const QLatin1String Forbidden("forbidden");
inline const QLatin1String UnknownEvent("unknown_event");
inline const QLatin1String StorageError("storage_error");
// Close reasons (WebSocket close frames)
inline const QLatin1String BadParams("bad_params");
inline const QLatin1String BadVsn("bad_vsn");
inline const QLatin1String HubFull("hub_full");
inline const QLatin1String TooManyConnections("too_many_connections"); // from one address
inline const QLatin1String RateLimitedFor("rate_limited:"); // followed by the ms to wait
inline const QLatin1String SlowConsumer("slow_consumer");
inline const QLatin1String Flooding("flooding");
inline const QLatin1String IdleTimeout("idle_timeout");
inline const QLatin1String ShuttingDown("shutting_down");
inline const QLatin1String ClockSkew("clock_skew:"); // followed by the hub's Unix ms
inline const QLatin1String Replayed("replayed");
// Reasons a client gives itself for not connecting (never sent by a hub): the certificate is not
// the trusted one; the hub would be reached without encryption, or it is a plain hub that says
// it is one known at another address (docs/protocol.md, "No downgrade, no borrowed trust").
inline const QLatin1String UntrustedCertificate("untrusted_certificate");
inline const QLatin1String NotEncrypted("not_encrypted");
inline const QLatin1String UnverifiedHub("unverified_hub");
} // namespace Reason

namespace CloseCode {
constexpr quint16 GoingAway = 1001;
constexpr quint16 ProtocolError = 1002;
constexpr quint16 BadData = 1007;
constexpr quint16 Policy = 1008;
constexpr quint16 TooBig = 1009;
constexpr quint16 InternalError = 1011;
constexpr quint16 Restart = 1012;
} // namespace CloseCode

inline const QLatin1String HeartbeatTopic("phoenix");
inline const QLatin1String LobbyTopic("hub:lobby");

} // namespace Parley::Protocol
