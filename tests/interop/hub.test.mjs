// Issue 2: the stock phoenix.js client against parley-hub — connect, join, push/reply,
// broadcast once, heartbeat, leave, unmatched topic, refused joins, duplicate join.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startHub, connect, join, push, rawClient, waitFor, newUserId, identityOf, signedParams, disconnectAll, Socket, WebSocket, overTls } from "./lib.mjs";

let hub;
before(async () => { hub = await startHub(); });
after(async () => { await hub.stop(); });

test("SIGTERM and SIGINT: every client is closed with 1001, the hub exits 0", async () => {
  for (const signal of ["SIGTERM", "SIGINT"]) {
    const own = await startHub();
    const raw = await rawClient(own.url);
    const exited = new Promise((resolve) => own.process.on("exit", (code, sig) => resolve([code, sig])));
    own.process.kill(signal);
    const [code, sig] = await exited;
    await waitFor(() => raw.closed, 5000, "close");
    assert.equal(raw.closed.code, 1001, signal);
    assert.equal(raw.closed.reason, "shutting_down");
    assert.deepEqual([code, sig], [0, null], signal);
    own.cleanup();
  }
});

test("hub prints its real port", () => {
  assert.match(hub.printed, /^wss?:\/\/127\.0\.0\.1:\d+\/socket$/);
  assert.equal(hub.printed.startsWith("wss:"), overTls); // PARLEY_TLS=1: the _tls variant
  assert.notEqual(hub.port, 0);
});

test("connect with params, join hub:lobby: hub info, you, rooms", async () => {
  const userId = newUserId("ana");
  const socket = await connect(hub.url, { user_id: userId, nick: "Ana Lyst" });
  const lobby = socket.channel("hub:lobby", {});
  const reply = await join(lobby);
  assert.equal(reply.you.user_id, userId);
  assert.equal(reply.you.nick, "Ana Lyst");
  assert.equal(typeof reply.hub.id, "string");
  assert.equal(reply.hub.version, "0.1.0");
  const general = reply.rooms.find((r) => r.name === "general");
  assert.ok(general, "a new hub has room general");
  assert.equal(general.locked, false);
  assert.equal(lobby.state, "joined");
  await disconnectAll(socket);
});

test("new_msg: ok reply with the stored message, broadcast once to every member", async () => {
  const a = await connect(hub.url, { nick: "ana" });
  const b = await connect(hub.url, { nick: "bo" });
  const ca = a.channel("room:general", {});
  const cb = b.channel("room:general", {});
  const seenByA = [];
  const seenByB = [];
  ca.on("new_msg", (m) => seenByA.push(m));
  cb.on("new_msg", (m) => seenByB.push(m));
  await join(ca);
  await join(cb);
  const body = `hello ${Math.random()}`;
  const { status, response } = await push(ca, "new_msg", { body: `  ${body}\n`, client_id: "client_0001" });
  assert.equal(status, "ok");
  const msg = response.message;
  assert.equal(msg.body, body, "body is trimmed");
  assert.ok(Number.isInteger(msg.id) && msg.id > 0);
  assert.equal(msg.room, "general");
  assert.equal(msg.nick, "ana");
  assert.ok(Math.abs(msg.ts - Date.now()) < 60000);
  assert.equal(msg.deleted, false);
  assert.equal(msg.edited_ts, null);
  await waitFor(() => seenByB.length >= 1 && seenByA.length >= 1, 5000, "broadcast");
  // One more round trip so a duplicate would have arrived by now.
  assert.equal((await push(cb, "typing", { typing: false })).status, "ok");
  assert.equal(seenByB.filter((m) => m.id === msg.id).length, 1);
  assert.equal(seenByA.filter((m) => m.id === msg.id).length, 1, "the sender gets the broadcast too");
  assert.deepEqual(seenByB[0], msg);
  await disconnectAll(a, b);
});

test("broadcast reaches only the room's members", async () => {
  const a = await connect(hub.url);
  const c = await connect(hub.url);
  const lobbyA = a.channel("hub:lobby", {});
  await join(lobbyA);
  const room = `other-${Date.now()}`;
  assert.equal((await push(lobbyA, "create_room", { name: room })).status, "ok");
  const ca = a.channel("room:general", {});
  const cc = c.channel(`room:${room}`, {});
  const seenByC = [];
  cc.on("new_msg", (m) => seenByC.push(m));
  await join(ca);
  await join(cc);
  assert.equal((await push(ca, "new_msg", { body: "only general" })).status, "ok");
  assert.equal((await push(cc, "new_msg", { body: "in other" })).status, "ok");
  await waitFor(() => seenByC.length >= 1, 5000, "own room message");
  assert.deepEqual(seenByC.map((m) => m.body), ["in other"]);
  await disconnectAll(a, c);
});

test("heartbeat gets an ok reply with no channel joined", async () => {
  const raw = await rawClient(hub.url);
  raw.send([null, "hb1", "phoenix", "heartbeat", {}]);
  const reply = await raw.next((f) => f[1] === "hb1");
  assert.deepEqual(reply, [null, "hb1", "phoenix", "phx_reply", { status: "ok", response: {} }]);
  raw.close();
});

test("phoenix.js stays connected with fast heartbeats and sees replies", async () => {
  const socket = await connect(hub.url, {}, { heartbeatIntervalMs: 100 });
  let pings = 0;
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => socket.ping((rtt) => { pings += rtt >= 0 ? 1 : 0; resolve(); }));
  }
  assert.equal(pings, 3);
  assert.equal(socket.isConnected(), true);
  await disconnectAll(socket);
});

test("leave: ok reply, phx_close, no more broadcasts, later pushes get unmatched topic", async () => {
  const raw = await rawClient(hub.url);
  raw.send(["1", "1", "room:general", "phx_join", {}]);
  await raw.next((f) => f[1] === "1" && f[3] === "phx_reply");
  raw.send(["1", "2", "room:general", "phx_leave", {}]);
  const reply = await raw.next((f) => f[1] === "2");
  assert.deepEqual(reply, ["1", "2", "room:general", "phx_reply", { status: "ok", response: {} }]);
  const close = await raw.next((f) => f[3] === "phx_close");
  assert.deepEqual(close, ["1", "1", "room:general", "phx_close", {}]);
  // Another member posts: the leaver must not get it.
  const other = await connect(hub.url);
  const channel = other.channel("room:general", {});
  await join(channel);
  const { response } = await push(channel, "new_msg", { body: "after leave" });
  raw.send(["1", "3", "room:general", "new_msg", { body: "x" }]);
  const unmatched = await raw.next((f) => f[1] === "3");
  assert.deepEqual(unmatched, [null, "3", "room:general", "phx_reply",
    { status: "error", response: { reason: "unmatched topic" } }]);
  assert.equal(raw.frames.filter((f) => f[3] === "new_msg" && f[4].id === response.message.id).length, 0);
  raw.close();
  await disconnectAll(other);
});

test("phoenix.js leave() closes the channel", async () => {
  const socket = await connect(hub.url);
  const channel = socket.channel("room:general", {});
  await join(channel);
  let closed = false;
  channel.onClose(() => { closed = true; });
  channel.leave();
  await waitFor(() => closed, 2000, "onClose");
  assert.equal(channel.state, "closed");
  await disconnectAll(socket);
});

test("unmatched topic: error reply with null join_ref", async () => {
  const socket = await connect(hub.url);
  for (const topic of ["nope:1", "room:Bad Name", "room:", "dm:onlyone"]) {
    const channel = socket.channel(topic, {});
    await assert.rejects(join(channel), (err) => err.reply?.reason === "unmatched topic", topic);
    channel.leave();
  }
  await disconnectAll(socket);
});

test("a dm of two other users is refused with unauthorized; its members get in", async () => {
  const alice = newUserId("alice");
  const bob = newUserId("bob");
  const [x, y] = [alice, bob].sort();
  const topic = `dm:${x}:${y}`;
  const intruder = await connect(hub.url);
  const channel = intruder.channel(topic, {});
  await assert.rejects(join(channel), (err) => err.reply?.reason === "unauthorized");
  channel.leave();
  const a = await connect(hub.url, { user_id: alice, nick: "alice" });
  const b = await connect(hub.url, { user_id: bob, nick: "bob" });
  const ca = a.channel(topic, {});
  const cb = b.channel(topic, {});
  const seen = [];
  cb.on("new_msg", (m) => seen.push(m));
  await join(ca);
  await join(cb);
  assert.equal((await push(ca, "new_msg", { body: "psst" })).status, "ok");
  await waitFor(() => seen.length === 1, 5000, "dm message");
  assert.equal(seen[0].room, topic);
  await disconnectAll(intruder, a, b);
});

test("direct_message on hub:lobby tells a user about a dm they have not joined", async () => {
  const alice = newUserId("alice");
  const bob = newUserId("bob");
  const topic = `dm:${[alice, bob].sort().join(":")}`;
  const a = await connect(hub.url, { user_id: alice, nick: "alice" });
  const b = await connect(hub.url, { user_id: bob, nick: "bob" });
  const lobbyB = b.channel("hub:lobby", {});
  const notices = [];
  lobbyB.on("direct_message", (p) => notices.push(p));
  await join(lobbyB);
  const ca = a.channel(topic, {});
  await join(ca);
  const { response } = await push(ca, "new_msg", { body: "knock knock" });
  await waitFor(() => notices.length === 1, 5000, "direct_message");
  assert.equal(notices[0].topic, topic);
  assert.deepEqual(notices[0].message, response.message);
  // Once bob has joined the dm, messages come there only.
  const cb = b.channel(topic, {});
  const seen = [];
  cb.on("new_msg", (m) => seen.push(m));
  await join(cb);
  const second = await push(ca, "new_msg", { body: "who's there" });
  await waitFor(() => seen.some((m) => m.id === second.response.message.id), 5000, "dm new_msg");
  assert.equal((await push(lobbyB, "set_status", { status: "online" })).status, "ok");
  assert.equal(notices.length, 1);
  await disconnectAll(a, b);
});

test("duplicate join: reply to the new join, then phx_close with the old join_ref; broadcasts once", async () => {
  const raw = await rawClient(hub.url);
  raw.send(["10", "10", "room:general", "phx_join", {}]);
  await raw.next((f) => f[1] === "10" && f[3] === "phx_reply");
  raw.send(["11", "11", "room:general", "phx_join", {}]);
  const reply = await raw.next((f) => f[1] === "11" && f[3] === "phx_reply");
  assert.equal(reply[0], "11");
  assert.equal(reply[4].status, "ok");
  const replyIndex = raw.frames.indexOf(reply);
  const closeIndex = raw.frames.findIndex((f) => f[3] === "phx_close" && f[0] === "10");
  assert.ok(closeIndex > replyIndex, "phx_close for the old join comes after the new reply");
  assert.deepEqual(raw.frames[closeIndex], ["10", "10", "room:general", "phx_close", {}]);
  // A stale frame with the old join_ref is ignored: no reply.
  raw.send(["10", "12", "room:general", "new_msg", { body: "stale" }]);
  raw.send(["11", "13", "room:general", "new_msg", { body: "fresh" }]);
  const ok = await raw.next((f) => f[1] === "13");
  assert.equal(ok[4].status, "ok");
  const id = ok[4].response.message.id;
  await raw.next((f) => f[3] === "new_msg" && f[4].id === id);
  assert.equal(raw.frames.filter((f) => f[1] === "12").length, 0, "stale join_ref: no reply");
  assert.equal(raw.frames.filter((f) => f[3] === "new_msg" && f[4].body === "stale").length, 0);
  assert.equal(raw.frames.filter((f) => f[3] === "new_msg" && f[4].id === id).length, 1);
  raw.close();
});

test("phoenix.js duplicate channel object: the new one stays joined", async () => {
  const socket = await connect(hub.url);
  const first = socket.channel("room:general", {});
  await join(first);
  const second = socket.channel("room:general", {});
  await join(second);
  const seen = [];
  second.on("new_msg", (m) => seen.push(m));
  const { response } = await push(second, "new_msg", { body: "dup" });
  await waitFor(() => seen.some((m) => m.id === response.message.id), 5000, "broadcast");
  assert.equal(second.state, "joined");
  assert.equal(seen.filter((m) => m.id === response.message.id).length, 1);
  await disconnectAll(socket);
});

test("refused connects are closed with 1008 and a reason", async () => {
  const signed = (params) => signedParams(hub.url, { user_id: "refused-user", ...params });
  const cases = [
    [() => signed({ vsn: "1.0.0", nick: "x" }), "bad_vsn"],
    [() => signed({ nick: "x" }), "bad_vsn"],
    [() => ({ ...signed({ vsn: "2.0.0", nick: "x" }), user_id: "short" }), "bad_params"],
    [() => signed({ vsn: "2.0.0", nick: "   " }), "bad_params"],
    [() => signed({ vsn: "2.0.0" }), "bad_params"],
    [() => ({ vsn: "2.0.0", user_id: identityOf("refused-user").userId, nick: "x" }), "bad_params"],
    [() => ({ ...signed({ vsn: "2.0.0", nick: "x" }), sig: signed({ user_id: newUserId() }).sig }), "unauthorized"],
  ];
  for (const [make, reason] of cases) {
    const params = make();
    const ws = new WebSocket(`${hub.url}/websocket?${new URLSearchParams(params)}`);
    const [code, why] = await new Promise((resolve) => ws.on("close", (c, r) => resolve([c, r.toString()])));
    assert.equal(code, 1008, JSON.stringify(params));
    assert.equal(why, reason, JSON.stringify(params));
  }
});

test("unknown event on a joined topic: unknown_event error reply", async () => {
  const socket = await connect(hub.url);
  const channel = socket.channel("room:general", {});
  await join(channel);
  const { status, response } = await push(channel, "launch_rockets", {});
  assert.equal(status, "error");
  assert.equal(response.reason, "unknown_event");
  await disconnectAll(socket);
});

test("too many channels: the 101st join is refused", async () => {
  // 100 rooms of one user, at once: past the rooms a user may make, lifted here.
  const own = await startHub({ args: ["--max-rate", "0", "--rooms-per-user", "0", "--rooms-per-hour", "0"] });
  try {
    const lobbySocket = await connect(own.url);
    const lobby = lobbySocket.channel("hub:lobby", {});
    await join(lobby);
    const names = [];
    for (let i = 0; i < 100; i++) {
      names.push(`cap-${i}`);
      const r = await push(lobby, "create_room", { name: names[i] });
      assert.equal(r.status, "ok", JSON.stringify(r));
    }
    const raw = await rawClient(own.url);
    for (let i = 0; i < 100; i++) raw.send([`j${i}`, `j${i}`, `room:${names[i]}`, "phx_join", {}]);
    await raw.next((f) => f[1] === "j99" && f[3] === "phx_reply", 10000);
    const oks = raw.frames.filter((f) => f[3] === "phx_reply" && f[4].status === "ok");
    assert.equal(oks.length, 100);
    raw.send(["x", "x", "room:general", "phx_join", {}]);
    const refused = await raw.next((f) => f[1] === "x");
    assert.deepEqual(refused, ["x", "x", "room:general", "phx_reply",
      { status: "error", response: { reason: "too many channels joined" } }]);
    // Leaving one makes room for another.
    raw.send(["j0", "l0", "room:cap-0", "phx_leave", {}]);
    raw.send(["y", "y", "room:general", "phx_join", {}]);
    const accepted = await raw.next((f) => f[1] === "y");
    assert.equal(accepted[4].status, "ok");
    raw.close();
    await disconnectAll(lobbySocket);
  } finally {
    await own.stop();
  }
});
