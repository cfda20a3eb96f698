// A scripted phoenix.js bot for end-to-end tests of the desktop app. It joins a room with the
// stock Presence class and reports on stdout, one JSON object a line:
//   {"event":"ready"} after the join, {"event":"presence","nicks":[...]} on every sync,
//   {"event":"message","nick":...,"body":...} for messages of others.
// It reads commands from stdin, one a line: "send TEXT". It exits when stdin closes or after
// 60 s. It is the identity of LABEL (the same key for the same label, see identity.mjs) and
// signs every connect. Usage: node bot.mjs ws://127.0.0.1:PORT/socket LABEL NICK [TOPIC]; for a
// wss:// hub, PARLEY_BOT_FINGERPRINT names the certificate to trust (pinning.mjs).
import readline from "node:readline";
import { Socket, Presence } from "phoenix";
import { WebSocket } from "ws";
import { hubBindingFromServer, identityOf, signedParams } from "./identity.mjs";
import { fetchPinnedCertificate, pinnedTransport } from "./pinning.mjs";

const [url, label, nick, topic = "room:general"] = process.argv.slice(2);
const userId = identityOf(label).userId;
const say = (object) => process.stdout.write(JSON.stringify(object) + "\n");
const fingerprint = process.env.PARLEY_BOT_FINGERPRINT;
const transport = url.startsWith("wss:") && fingerprint
  ? pinnedTransport(fingerprint, [await fetchPinnedCertificate(url, fingerprint)])
  : WebSocket;
const binding = await hubBindingFromServer(url, url.startsWith("wss:") ? fingerprint : null);
const socket = new Socket(url, {
  transport,
  params: () => signedParams(url, { user_id: userId, nick, device: "bot" }, binding),
});
socket.connect();
const channel = socket.channel(topic, {});
const presence = new Presence(channel);
presence.onSync(() => say({ event: "presence", nicks: presence.list((key, p) => p.metas[0].nick).sort() }));
channel.on("new_msg", (message) => {
  if (message.user_id !== userId) say({ event: "message", nick: message.nick, body: message.body });
});
channel.join()
  .receive("ok", () => say({ event: "ready", user_id: userId }))
  .receive("error", (reply) => say({ event: "join_error", reply }));

const input = readline.createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (line.startsWith("send ")) {
    channel.push("new_msg", { body: line.slice(5) })
      .receive("ok", ({ message }) => say({ event: "sent", id: message.id }))
      .receive("error", (reply) => say({ event: "send_error", reply }));
  }
});
const quit = () => { socket.disconnect(() => process.exit(0)); setTimeout(() => process.exit(0), 500); };
input.on("close", quit);
setTimeout(quit, 60000);
