// Identity with the stock phoenix.js client (docs/protocol.md, "Identity (signed connect)"):
// it signs with Node's crypto, with params as a function so every reconnect signs afresh, and
// a second person who knows a user's user_id (from presence, from any message) but not the key
// cannot connect as them, cannot join their direct messages, cannot edit or delete their
// messages, and shows up in presence as someone else.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sign } from "node:crypto";
import { startHub, connect, join, push, waitFor, newIdentity, signedParams, disconnectAll,
  Socket, Presence, WebSocket } from "./lib.mjs";

let hub;
before(async () => { hub = await startHub(); });
after(async () => { await hub.stop(); });

// The close code and reason a connect with these params gets.
function refusal(params) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${hub.url}/websocket?${new URLSearchParams({ vsn: "2.0.0", ...params })}`);
    ws.on("close", (code, reason) => resolve([code, reason.toString()]));
    ws.on("error", () => {});
  });
}

test("every reconnect of phoenix.js signs afresh and is accepted", async () => {
  const ana = newIdentity();
  let signatures = 0;
  const socket = new Socket(hub.url, {
    transport: WebSocket,
    reconnectAfterMs: () => 10,
    params: () => { signatures += 1; return signedParams(hub.url, { user_id: ana.userId, nick: "Ana" }); },
  });
  const opened = [];
  socket.onOpen(() => opened.push(Date.now()));
  socket.connect();
  const lobby = socket.channel("hub:lobby", {});
  const reply = await join(lobby);
  assert.equal(reply.you.user_id, ana.userId);
  // Drop the connection under phoenix.js twice: it reconnects, calling params() each time, and
  // the hub accepts each new signature (a replayed one would be refused).
  for (let drop = 1; drop <= 2; drop++) {
    socket.conn.close(4000, "test drop");
    await waitFor(() => opened.length === drop + 1 && lobby.state === "joined", 5000, `reconnect ${drop}`);
  }
  assert.ok(signatures >= 3, `params() was called ${signatures} times`);
  await disconnectAll(socket);
});

test("the user_id is the key's, and a connect signed for another hub is refused", async () => {
  const ana = newIdentity();
  const good = signedParams(hub.url, { user_id: ana.userId, nick: "Ana" });
  assert.equal(good.user_id.length, 22);
  assert.deepEqual(await refusal({ ...good, user_id: newIdentity().userId }), [1008, "bad_params"]);
  const elsewhere = signedParams("ws://127.0.0.2:4000/socket", { user_id: ana.userId, nick: "Ana" });
  assert.deepEqual(await refusal(elsewhere), [1008, "unauthorized"]);
});

test("a client whose clock is off learns the hub's time from clock_skew and gets in", async () => {
  const ana = newIdentity();
  const message = (ts) => Buffer.from(`parley-connect-v1\n${new URL(hub.url).host}\n${ts}\n${ana.userId}`);
  const params = (ts) => ({ user_id: ana.userId, nick: "Ana", key: ana.publicKey.toString("base64url"),
    ts: String(ts), sig: sign(null, message(ts), ana.privateKey).toString("base64url") });
  const wrongClock = Date.now() - 3600000; // an hour behind
  const [code, reason] = await refusal(params(wrongClock));
  assert.equal(code, 1008);
  const hubTs = Number(reason.match(/^clock_skew:(\d+)$/)?.[1]);
  assert.ok(Math.abs(hubTs - Date.now()) < 5000, reason);
  // Corrected by the difference, as PROTOCOL.md says a client retries once.
  const offset = hubTs - wrongClock;
  const socket = await connect(hub.url, {}, {
    params: () => params(wrongClock + offset + 1),
  });
  const lobby = socket.channel("hub:lobby", {});
  assert.equal((await join(lobby)).you.user_id, ana.userId);
  await disconnectAll(socket);
});

test("impersonation: knowing a user_id without the key gets nothing", async () => {
  const ana = newIdentity();
  const bob = newIdentity();
  const mallory = newIdentity();
  const anaSocket = await connect(hub.url, { user_id: ana.userId, nick: "Ana" });
  const bobSocket = await connect(hub.url, { user_id: bob.userId, nick: "Bob" });
  const dmTopic = `dm:${[ana.userId, bob.userId].sort().join(":")}`;
  const anaRoom = anaSocket.channel("room:general", {});
  const anaDm = anaSocket.channel(dmTopic, {});
  const bobRoom = bobSocket.channel("room:general", {});
  const bobPresence = new Presence(bobRoom);
  await join(anaRoom);
  await join(anaDm);
  await join(bobRoom);
  const posted = await push(anaRoom, "new_msg", { body: "Ana's words" });
  assert.equal(posted.status, "ok");
  const secret = await push(anaDm, "new_msg", { body: "for Bob's eyes only" });
  assert.equal(secret.status, "ok");
  await waitFor(() => bobPresence.list((id) => id).includes(ana.userId), 5000, "Ana in Bob's presence");

  // Mallory saw Ana's user_id in the presence list. Claiming it with her own key: bad_params.
  const claim = signedParams(hub.url, { user_id: mallory.userId, nick: "Ana" });
  assert.deepEqual(await refusal({ ...claim, user_id: ana.userId }), [1008, "bad_params"]);
  // With Ana's public key too (it is in every connect URL Ana sends): the signature is not Ana's.
  assert.deepEqual(await refusal({ ...claim, user_id: ana.userId, key: ana.publicKey.toString("base64url") }),
    [1008, "unauthorized"]);

  // As herself, with Ana's nick: no dm, no edits, no deletes, and her own presence key.
  const malSocket = await connect(hub.url, { user_id: mallory.userId, nick: "Ana" });
  const malDm = malSocket.channel(dmTopic, {});
  const dmReply = await new Promise((resolve) => {
    malDm.join().receive("ok", (r) => resolve({ status: "ok", r })).receive("error", (r) => resolve({ status: "error", r }));
  });
  assert.equal(dmReply.status, "error");
  assert.equal(dmReply.r.reason, "unauthorized");
  assert.ok(!JSON.stringify(dmReply).includes("for Bob's eyes only"));
  malDm.leave();
  const malRoom = malSocket.channel("room:general", {});
  await join(malRoom);
  const id = posted.response.message.id;
  assert.equal((await push(malRoom, "edit_msg", { id, body: "Mallory was here" })).response.reason, "forbidden");
  assert.equal((await push(malRoom, "delete_msg", { id })).response.reason, "forbidden");
  await waitFor(() => bobPresence.list((key) => key).includes(mallory.userId), 5000, "Mallory in presence");
  const metas = (key) => bobPresence.list((k, p) => ({ k, n: p.metas.length })).find((e) => e.k === key)?.n;
  assert.equal(metas(ana.userId), 1, "Ana is one device, not joined by Mallory");
  assert.equal(metas(mallory.userId), 1);

  // Ana's message is as she wrote it.
  const history = await push(anaRoom, "history", { before_id: id + 1, limit: 1 });
  assert.equal(history.response.messages[0].body, "Ana's words");
  assert.equal(history.response.messages[0].user_id, ana.userId);
  await disconnectAll(anaSocket, bobSocket, malSocket);
});
