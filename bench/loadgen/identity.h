// parley-loadgen: every client is a user with its own Ed25519 key and signs each connect
// (docs/protocol.md, "Identity (signed connect)"), as a real client does, with OpenSSL's
// libcrypto. Keys are made from the client's index, so a run's users are the same every time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace loadgen {

// Makes the keys of clients 0..count-1 (a few seconds for 15,000 on this machine's loadgen core
// at most; run before the setup clock starts).
void makeIdentities(size_t count);
// The user_id of client `index` (22 characters of base64url).
const std::string &userIdOf(size_t index);
// The client of a user_id made here, or -1.
long clientOfUserId(std::string_view userId);
// What every connect is signed for (docs/protocol.md, "Identity"): over wss:// the certificate
// the hub must present ("fp:" + --tls-fingerprint); over ws:// the hub's id, asked once with
// GET /hub on the target (the hub and the benchmark peers answer it). False with a message on
// stderr if the target does not say.
bool learnBinding();
// "user_id=…&key=…&ts=…&sig=…" for a connect of client `index`, bound as learnBinding() found,
// signed now.
std::string signedConnectQuery(size_t index);

} // namespace loadgen
