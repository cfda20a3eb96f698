// Hostile input against a live hub: every bad input gets its error reply or close code, and
// afterwards the hub answers a fresh client, a bystander got nothing it should not have, and
// every stored message is intact.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import tls from "node:tls";
import { createHash, sign } from "node:crypto";
import { once } from "node:events";
import { startHub, rawClient, waitFor, withTimeout, newUserId, newIdentity, identityOf, signedParams, connectMessage,
  hubBindingOf, WebSocket } from "./lib.mjs";

let hub;
let observer;
let seeded = [];
const victim = newUserId();
const results = []; // [name, outcome]

before(async () => {
  hub = await startHub();
  // The bystander: in room:general from the start, with stored messages of its own.
  observer = await rawClient(hub.url, { user_id: victim, nick: "victim" });
  observer.send(["1", "1", "room:general", "phx_join", {}]);
  await observer.next((f) => f[1] === "1");
  for (let i = 0; i < 5; i++) {
    observer.send(["1", `s${i}`, "room:general", "new_msg", { body: `seed ${i}`, client_id: `seedclient${i}` }]);
    const reply = await observer.next((f) => f[1] === `s${i}`);
    seeded.push(reply[4].response.message);
  }
});

after(async () => {
  observer?.close();
  await hub.stop();
  console.log(`hostile inputs: ${results.length}`);
});

// --- connections that must be closed with a given code -----------------------------------
function closeOf(ws) {
  return new Promise((resolve) => ws.on("close", (code, reason) => resolve([code, reason.toString()])));
}
function wsUrl(params) {
  return `${hub.url}/websocket?${new URLSearchParams(params)}`;
}
// A signed connect for "hostile01", made when the case runs (its ts must be fresh).
const good = () => signedParams(hub.url, { vsn: "2.0.0", user_id: "hostile01", nick: "h" });
const without = (params, ...keys) => Object.fromEntries(Object.entries(params).filter(([k]) => !keys.includes(k)));
const otherUser = newIdentity();
const otherDm = [newUserId(), newUserId()].sort(); // a dm of two other users

const connectCases = [
  ["vsn missing", () => without(good(), "vsn"), 1008, "bad_vsn"],
  ["vsn 1.0.0", () => ({ ...good(), vsn: "1.0.0" }), 1008, "bad_vsn"],
  ["vsn garbage", () => ({ ...good(), vsn: "two" }), 1008, "bad_vsn"],
  ["unsigned", () => ({ vsn: "2.0.0", user_id: identityOf("hostile01").userId, nick: "h" }), 1008, "bad_params"],
  ["user_id missing", () => without(good(), "user_id"), 1008, "bad_params"],
  ["key missing", () => without(good(), "key"), 1008, "bad_params"],
  ["sig missing", () => without(good(), "sig"), 1008, "bad_params"],
  ["ts missing", () => without(good(), "ts"), 1008, "bad_params"],
  ["ts not a number", () => ({ ...good(), ts: "now" }), 1008, "bad_params"],
  ["user_id too short", () => ({ ...good(), user_id: "abc" }), 1008, "bad_params"],
  ["user_id 65 chars", () => ({ ...good(), user_id: "a".repeat(65) }), 1008, "bad_params"],
  ["user_id with slash", () => ({ ...good(), user_id: "../../etc" }), 1008, "bad_params"],
  ["user_id of another key", () => ({ ...good(), user_id: otherUser.userId }), 1008, "bad_params"],
  ["key of another user, own signature", () => ({ ...good(), key: otherUser.publicKey.toString("base64url") }), 1008, "bad_params"],
  ["signature by another key", () => {
    const mine = good();
    const theirs = signedParams(hub.url, { user_id: otherUser.userId, nick: "h" });
    return { ...mine, sig: theirs.sig };
  }, 1008, "unauthorized"],
  ["ts changed after signing", () => { const p = good(); return { ...p, ts: String(Number(p.ts) + 1) }; }, 1008, "unauthorized"],
  ["signed for another hub's certificate", () => signedParams(hub.url, { vsn: "2.0.0", user_id: "hostile01", nick: "h" }, `fp:${"e".repeat(64)}`),
    1008, "unauthorized"],
  ["signed for another hub id", () => signedParams(hub.url, { vsn: "2.0.0", user_id: "hostile01", nick: "h" }, "hub:another-hub"),
    1008, "unauthorized"],
  ["v1: signed over the Host header", () => {
    const identity = identityOf("hostile01");
    const ts = Date.now();
    const message = `parley-connect-v1\n${new URL(hub.url).host}\n${ts}\n${identity.userId}`;
    return { vsn: "2.0.0", user_id: identity.userId, nick: "h", key: identity.publicKey.toString("base64url"),
      ts: String(ts), sig: sign(null, Buffer.from(message), identity.privateKey).toString("base64url") };
  }, 1008, "unauthorized"],
  ["key of small order (the identity point), signature R = identity, S = 0", () => {
    const point = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]);
    return { vsn: "2.0.0", nick: "h", key: point.toString("base64url"), ts: String(Date.now()),
      user_id: createHash("sha256").update(point).digest().subarray(0, 16).toString("base64url"),
      sig: Buffer.concat([point, Buffer.alloc(32)]).toString("base64url") };
  }, 1008, "bad_params"],
  ["nick missing", () => without(good(), "nick"), 1008, "bad_params"],
  ["nick 33 chars", () => ({ ...good(), nick: "n".repeat(33) }), 1008, "bad_params"],
  ["nick with BEL", () => ({ ...good(), nick: "bell\u0007" }), 1008, "bad_params"],
  ["nick with newline", () => ({ ...good(), nick: "two\nlines" }), 1008, "bad_params"],
  ["device 33 chars", () => ({ ...good(), device: "d".repeat(33) }), 1008, "bad_params"],
];
for (const [name, params, code, reason] of connectCases) {
  test(`connect: ${name} -> ${code} ${reason}`, async () => {
    const ws = new WebSocket(wsUrl(params()));
    const [c, r] = await closeOf(ws);
    assert.equal(c, code);
    assert.equal(r, reason);
    results.push([name, c]);
  });
}

test("connect: a signature 10 minutes old -> 1008 clock_skew:HUB_TS", async () => {
  const identity = identityOf("hostile01");
  const ts = Date.now() - 600000;
  const message = connectMessage(hubBindingOf(hub.url), ts, identity.userId);
  const params = { vsn: "2.0.0", user_id: identity.userId, nick: "h", key: identity.publicKey.toString("base64url"),
    ts: String(ts), sig: sign(null, message, identity.privateKey).toString("base64url") };
  const before = Date.now();
  const [c, r] = await closeOf(new WebSocket(wsUrl(params)));
  assert.equal(c, 1008);
  const match = r.match(/^clock_skew:(\d+)$/);
  assert.ok(match, r);
  assert.ok(Math.abs(Number(match[1]) - before) < 5000, `hub time ${match[1]} vs ${before}`);
  results.push(["old signature", c]);
});

test("connect: the same signed URL twice -> the second is 1008 replayed", async () => {
  const url = wsUrl(good());
  const first = new WebSocket(url);
  const firstMessages = [];
  first.on("message", (data) => firstMessages.push(data.toString()));
  await once(first, "open");
  first.send(JSON.stringify([null, "hb", "phoenix", "heartbeat", {}]));
  await waitFor(() => firstMessages.length > 0, 5000, "heartbeat reply");
  first.close();
  const [c, r] = await closeOf(new WebSocket(url));
  assert.equal(c, 1008);
  assert.equal(r, "replayed");
  results.push(["replayed URL", c]);
});

const frameCases = [
  ["not JSON", "hello", 1007],
  ["empty array", "[]", 1007],
  ["JSON object", '{"topic":"room:general"}', 1007],
  ["JSON null", "null", 1007],
  ["4 elements", '[null,"1","phoenix","heartbeat"]', 1007],
  ["6 elements", '[null,"1","phoenix","heartbeat",{},1]', 1007],
  ["numeric refs", '[1,2,"phoenix","heartbeat",{}]', 1007],
  ["numeric topic", '[null,"1",5,"heartbeat",{}]', 1007],
  ["null event", '[null,"1","phoenix",null,{}]', 1007],
  ["truncated JSON", '[null,"1","phoenix","heart', 1007],
  ["deep nesting", "[".repeat(5000) + "]".repeat(5000), 1007],
  ["frame over 64 KiB", JSON.stringify([null, "1", "room:general", "new_msg", { body: "x".repeat(70000) }]), 1009],
];
for (const [name, text, code] of frameCases) {
  test(`frame: ${name} -> ${code}`, async () => {
    const ws = new WebSocket(wsUrl(good()));
    await new Promise((r) => ws.on("open", r));
    const closed = closeOf(ws);
    ws.send(text);
    const [c] = await closed;
    assert.equal(c, code);
    results.push([name, c]);
  });
}

test("frame: binary -> 1007", async () => {
  const ws = new WebSocket(wsUrl(good()));
  await new Promise((r) => ws.on("open", r));
  const closed = closeOf(ws);
  ws.send(Buffer.from([0, 1, 2, 3]), { binary: true });
  assert.equal((await closed)[0], 1007);
  results.push(["binary", 1007]);
});

test("frame: invalid UTF-8 text -> 1007", async () => {
  const ws = new WebSocket(wsUrl(good()));
  await new Promise((r) => ws.on("open", r));
  const closed = closeOf(ws);
  ws.send(Buffer.from([0x5b, 0xc0, 0xaf, 0x5d]), { binary: false });
  assert.equal((await closed)[0], 1007);
  results.push(["invalid utf-8", 1007]);
});

// --- raw TCP -------------------------------------------------------------------------------
function rawTcp(bytes) {
  return new Promise((resolve) => {
    // Over TLS (PARLEY_TLS=1) the same bytes go inside a TLS connection to the hub.
    const socket = hub.url.startsWith("wss:")
      ? tls.connect({ host: "127.0.0.1", port: hub.port, rejectUnauthorized: false }, () => socket.write(bytes))
      : net.connect(hub.port, "127.0.0.1", () => socket.write(bytes));
    let data = "";
    socket.on("data", (d) => { data += d; });
    socket.on("close", () => resolve(data));
    socket.setTimeout(15000, () => socket.destroy());
  });
}
test("http: garbage request line -> 400", async () => {
  const answer = await rawTcp("HELLO\r\n\r\n");
  assert.match(answer, /^HTTP\/1\.1 400/);
  results.push(["garbage http", 400]);
});
test("http: wrong path -> 404", async () => {
  const answer = await rawTcp("GET /admin HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  assert.match(answer, /^HTTP\/1\.1 404/);
  results.push(["wrong path", 404]);
});
test("http: not an upgrade -> 400", async () => {
  const answer = await rawTcp("GET /socket/websocket HTTP/1.1\r\nHost: x\r\n\r\n");
  assert.match(answer, /^HTTP\/1\.1 400/);
  results.push(["no upgrade", 400]);
});
test("http: oversized header -> 400", async () => {
  const answer = await rawTcp("GET /socket/websocket HTTP/1.1\r\nX-Junk: " + "j".repeat(20000) + "\r\n\r\n");
  assert.match(answer, /^HTTP\/1\.1 400/);
  results.push(["oversized header", 400]);
});
test("http: half-open handshake is dropped after the handshake timeout", async () => {
  const started = Date.now();
  const answer = await rawTcp("GET /socket/websocket HTTP/1.1\r\nHost: x\r\n"); // never finished
  assert.equal(answer, "");
  assert.ok(Date.now() - started < 14000, "closed by the hub, not by the test's own timeout");
  results.push(["half-open", "closed"]);
});

// --- Phoenix-level: error replies, the connection stays up --------------------------------
async function expectError(join, frame, reasons) {
  const client = await rawClient(hub.url);
  try {
    if (join) {
      client.send(["j", "j", join, "phx_join", {}]);
      const reply = await client.next((f) => f[1] === "j");
      assert.equal(reply[4].status, "ok", `join ${join}`);
    }
    client.send(frame);
    const reply = await client.next((f) => f[1] === frame[1] && f[3] === "phx_reply");
    assert.equal(reply[4].status, "error", JSON.stringify(reply));
    assert.ok(reasons.includes(reply[4].response.reason), `${reply[4].response.reason} not in ${reasons}`);
    client.send([null, "hb", "phoenix", "heartbeat", {}]);
    await client.next((f) => f[1] === "hb");
    results.push([JSON.stringify(frame).slice(0, 60), reply[4].response.reason]);
  } finally {
    client.close();
  }
}
const G = "room:general";
const msg = (payload) => ["j", "x", G, "new_msg", payload];
const phoenixCases = [
  ["new_msg without body", G, msg({}), ["invalid_body"]],
  ["new_msg numeric body", G, msg({ body: 42 }), ["invalid_body"]],
  ["new_msg empty body", G, msg({ body: "" }), ["invalid_body"]],
  ["new_msg whitespace body", G, msg({ body: " \n\t " }), ["invalid_body"]],
  ["new_msg 4001 chars", G, msg({ body: "b".repeat(4001) }), ["invalid_body"]],
  ["new_msg NUL in body", G, msg({ body: "a\u0000b" }), ["invalid_body"]],
  ["new_msg array payload", G, ["j", "x", G, "new_msg", ["body"]], ["invalid_payload"]],
  ["new_msg string payload", G, ["j", "x", G, "new_msg", "hi"], ["invalid_payload"]],
  ["new_msg short client_id", G, msg({ body: "ok", client_id: "abc" }), ["invalid_payload"]],
  ["new_msg client_id with space", G, msg({ body: "ok", client_id: "abc def ghi" }), ["invalid_payload"]],
  ["new_msg numeric client_id", G, msg({ body: "ok", client_id: 12345678 }), ["invalid_payload"]],
  ["history without before_id", G, ["j", "x", G, "history", {}], ["invalid_payload"]],
  ["history limit 0", G, ["j", "x", G, "history", { before_id: 10, limit: 0 }], ["invalid_payload"]],
  ["history limit 101", G, ["j", "x", G, "history", { before_id: 10, limit: 101 }], ["invalid_payload"]],
  ["history before_id string", G, ["j", "x", G, "history", { before_id: "10" }], ["invalid_payload"]],
  ["history before_id negative", G, ["j", "x", G, "history", { before_id: -5 }], ["invalid_payload"]],
  ["history before_id 2^60", G, ["j", "x", G, "history", { before_id: 2 ** 60 }], ["invalid_payload"]],
  ["history limit 2.5", G, ["j", "x", G, "history", { before_id: 10, limit: 2.5 }], ["invalid_payload"]],
  ["typing string", G, ["j", "x", G, "typing", { typing: "yes" }], ["invalid_payload"]],
  ["edit_msg someone else's", G, null, ["forbidden"]],
  ["delete_msg someone else's", G, null, ["forbidden"]],
  ["edit_msg unknown id", G, ["j", "x", G, "edit_msg", { id: 999999, body: "x" }], ["not_found"]],
  ["edit_msg float id", G, ["j", "x", G, "edit_msg", { id: 1.5, body: "x" }], ["invalid_payload"]],
  ["delete_msg string id", G, ["j", "x", G, "delete_msg", { id: "1" }], ["invalid_payload"]],
  ["unknown event", G, ["j", "x", G, "drop_table", {}], ["unknown_event"]],
  ["event on a topic not joined", null, ["j", "x", "room:general", "new_msg", { body: "x" }], ["unmatched topic"]],
  ["join unknown prefix", null, ["k", "x", "admin:root", "phx_join", {}], ["unmatched topic"]],
  ["join uppercase room", null, ["k", "x", "room:General", "phx_join", {}], ["unmatched topic"]],
  ["join 41-char room", null, ["k", "x", `room:${"r".repeat(41)}`, "phx_join", {}], ["unmatched topic"]],
  ["join room with path", null, ["k", "x", "room:../general", "phx_join", {}], ["unmatched topic"]],
  ["join dm of others", null, ["k", "x", `dm:${otherDm.join(":")}`, "phx_join", {}], ["unauthorized"]],
  ["join dm in wrong order", null, ["k", "x", `dm:${[...otherDm].reverse().join(":")}`, "phx_join", {}], ["unmatched topic"]],
  ["join dm with ids of the old form", null, ["k", "x", "dm:aaaaaaaa:bbbbbbbb", "phx_join", {}], ["unmatched topic"]],
  ["join missing room", null, ["k", "x", "room:nowhere", "phx_join", {}], ["no_such_room"]],
  ["join params array", null, ["k", "x", G, "phx_join", [1]], ["invalid_payload"]],
  ["join after_id string", null, ["k", "x", G, "phx_join", { after_id: "x" }], ["invalid_payload"]],
  ["join after_id negative", null, ["k", "x", G, "phx_join", { after_id: -1 }], ["invalid_payload"]],
  ["create_room path name", "hub:lobby", ["j", "x", "hub:lobby", "create_room", { name: "../etc" }], ["invalid_name"]],
  ["create_room control char name", "hub:lobby", ["j", "x", "hub:lobby", "create_room", { name: "a\u0001b" }], ["invalid_name"]],
  ["create_room numeric name", "hub:lobby", ["j", "x", "hub:lobby", "create_room", { name: 7 }], ["invalid_name"]],
  ["create_room huge title", "hub:lobby", ["j", "x", "hub:lobby", "create_room", { name: "titled", title: "t".repeat(1000) }], ["invalid_payload"]],
  ["create_room object password", "hub:lobby", ["j", "x", "hub:lobby", "create_room", { name: "pw-obj", password: {} }], ["invalid_payload"]],
  ["create_room existing", "hub:lobby", ["j", "x", "hub:lobby", "create_room", { name: "general" }], ["exists"]],
  ["set_status sleeping", "hub:lobby", ["j", "x", "hub:lobby", "set_status", { status: "sleeping" }], ["invalid_status"]],
  ["set_status missing", "hub:lobby", ["j", "x", "hub:lobby", "set_status", {}], ["invalid_status"]],
  ["lobby unknown event", "hub:lobby", ["j", "x", "hub:lobby", "new_msg", { body: "x" }], ["unknown_event"]],
  ["heartbeat topic other event", null, [null, "x", "phoenix", "phx_join", {}], ["unknown_event", "unmatched topic"]],
];
for (const [name, join, frame, reasons] of phoenixCases) {
  test(`phoenix: ${name} -> ${reasons.join("|")}`, async () => {
    let f = frame;
    if (f === null) {
      const target = seeded[0].id;
      f = name.startsWith("edit") ? ["j", "x", G, "edit_msg", { id: target, body: "hijacked" }]
        : ["j", "x", G, "delete_msg", { id: target }];
    }
    await expectError(join, f, reasons);
  });
}

test("stale join_ref frames are ignored: no reply, no effect", async () => {
  const client = await rawClient(hub.url);
  client.send(["j1", "j1", G, "phx_join", {}]);
  await client.next((f) => f[1] === "j1");
  client.send(["old", "x1", G, "new_msg", { body: "stale" }]);
  client.send(["old", "x2", G, "phx_leave", {}]);
  client.send([null, "hb", "phoenix", "heartbeat", {}]);
  await client.next((f) => f[1] === "hb");
  assert.equal(client.frames.filter((f) => f[1] === "x1" || f[1] === "x2").length, 0);
  client.close();
  results.push(["stale join_ref", "ignored"]);
});

test("flooding gets rate_limited replies with retry_after_ms", async () => {
  const client = await rawClient(hub.url);
  for (let i = 0; i < 150; i++) client.send([null, `f${i}`, "phoenix", "heartbeat", {}]);
  const limited = await client.next((f) => f[4]?.response?.reason === "rate_limited");
  assert.ok(limited[4].response.retry_after_ms > 0);
  client.close();
  results.push(["flood", "rate_limited"]);
});


// --- what one host may take (docs/protocol.md, "Limits"): each on a hub of its own ----------
const otherHost = { localAddress: "127.0.0.2" };

test("password guesses from one address: refused at once over the rate, a right one from another host gets in", async () => {
  const own = await startHub();
  try {
    const owner = await rawClient(own.url);
    owner.send(["1", "1", "hub:lobby", "phx_join", {}]);
    await owner.next((f) => f[1] === "1");
    owner.send(["1", "2", "hub:lobby", "create_room", { name: "vault", password: "open sesame" }]);
    assert.equal((await owner.next((f) => f[1] === "2"))[4].status, "ok");
    const started = Date.now();
    const guessers = await Promise.all([0, 1, 2, 3].map(() => rawClient(own.url)));
    for (let i = 0; i < 40; i++) guessers[i % 4].send([`g${i}`, `g${i}`, "room:vault", "phx_join", { password: `guess ${i}` }]);
    const friend = await rawClient(own.url, {}, otherHost);
    friend.send(["f", "f", "room:vault", "phx_join", { password: "open sesame" }]);
    assert.equal((await friend.next((f) => f[1] === "f", 10000))[4].status, "ok");
    const replies = [];
    for (let i = 0; i < 40; i++) replies.push((await guessers[i % 4].next((f) => f[1] === `g${i}`, 10000))[4]);
    const seconds = (Date.now() - started) / 1000;
    const checked = replies.filter((r) => r.response.reason === "unauthorized").length;
    const limited = replies.filter((r) => r.response.reason === "rate_limited" && r.response.retry_after_ms > 0).length;
    assert.equal(checked + limited, 40, JSON.stringify(replies));
    assert.ok(checked >= 1 && checked <= 5 + Math.ceil(seconds) + 1, `${checked} checks in ${seconds} s`);
    for (const c of [owner, friend, ...guessers]) c.close();
  } finally {
    await own.stop();
  }
  results.push(["password guesses", "bounded"]);
});

test("join/leave churn: the hub sends no more than its join budget, another host joins meanwhile", async () => {
  const rate = 64 * 1024;
  const own = await startHub({ args: ["--join-output-rate", String(rate), "--max-rate", "0"] });
  try {
    const poster = await rawClient(own.url);
    poster.send(["1", "1", "room:general", "phx_join", {}]);
    await poster.next((f) => f[1] === "1");
    for (let i = 0; i < 50; i++) {
      poster.send(["1", `m${i}`, "room:general", "new_msg", { body: "x".repeat(4000) }]);
      await poster.next((f) => f[1] === `m${i}`);
    }
    const churner = await rawClient(own.url);
    const started = Date.now();
    let joined = 0;
    let limited = 0;
    for (let i = 0; i < 40; i++) {
      churner.send([`j${i}`, `j${i}`, "room:general", "phx_join", {}]);
      const reply = await churner.next((f) => f[1] === `j${i}` && f[3] === "phx_reply");
      if (reply[4].status === "ok") {
        joined += 1;
        churner.send([`j${i}`, `l${i}`, "room:general", "phx_leave", {}]);
        await churner.next((f) => f[1] === `l${i}`);
      } else {
        assert.equal(reply[4].response.reason, "rate_limited");
        limited += 1;
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const allowed = rate * (4 + seconds) + 50 * 4100 + 40 * 300;
    assert.ok(churner.bytes <= allowed, `${churner.bytes} bytes in ${seconds} s (${joined} joins), at most ${allowed}`);
    assert.ok(joined >= 1 && limited >= 1, `${joined} joined, ${limited} refused`);
    const other = await rawClient(own.url, {}, otherHost);
    other.send(["1", "1", "room:general", "phx_join", {}]);
    const reply = await other.next((f) => f[1] === "1");
    assert.equal(reply[4].status, "ok");
    assert.equal(reply[4].response.messages.length, 50);
    for (const c of [poster, churner, other]) c.close();
  } finally {
    await own.stop();
  }
  results.push(["join/leave churn", "bounded"]);
});

test("one address: connections and unfinished handshakes are capped, another host is not", async () => {
  const own = await startHub({ args: ["--max-connections-per-address", "3", "--max-handshakes-per-address", "4"] });
  try {
    // Three connections from here are let in; the fourth is told why it is not.
    const held = [];
    for (let i = 0; i < 3; i++) held.push(await rawClient(own.url));
    const extra = new WebSocket(`${own.url}/websocket?${new URLSearchParams(signedParams(own.url, { user_id: newUserId(), nick: "x", vsn: "2.0.0" }))}`);
    assert.deepEqual(await closeOf(extra), [1008, "too_many_connections"]);
    // Four TCP connections that never say anything (no TLS hello, no request), then a fifth:
    // closed (or reset) at once, while the four wait for the handshake timeout.
    const silent = [];
    for (let i = 0; i < 4; i++) {
      const socket = net.connect({ host: "127.0.0.1", port: own.port });
      socket.on("error", (error) => { socket.failure = error; });
      await once(socket, "connect");
      silent.push(socket);
    }
    const fifth = net.connect({ host: "127.0.0.1", port: own.port });
    fifth.on("error", () => {});
    await withTimeout(new Promise((resolve) => fifth.on("close", resolve)), 5000, "the fifth closed");
    assert.deepEqual(silent.map((socket) => socket.failure?.message ?? socket.readyState), ["open", "open", "open", "open"]);
    // Another host is counted apart: it connects and is answered.
    const other = await rawClient(own.url, {}, otherHost);
    other.send([null, "hb", "phoenix", "heartbeat", {}]);
    assert.equal((await other.next((f) => f[1] === "hb"))[4].status, "ok");
    for (const socket of silent) socket.destroy();
    for (const c of [other, ...held]) c.close();
  } finally {
    await own.stop();
  }
  results.push(["connections per address", "capped"]);
});

test("afterwards: the hub answers, the bystander saw no foreign message, history is intact", async () => {
  const fresh = await rawClient(hub.url);
  fresh.send([null, "hb", "phoenix", "heartbeat", {}]);
  await fresh.next((f) => f[1] === "hb");
  fresh.send(["1", "1", G, "phx_join", {}]);
  const join = await fresh.next((f) => f[1] === "1");
  const stored = join[4].response.messages;
  assert.deepEqual(stored, seeded, "every stored message is intact, nothing was added, edited or deleted");
  const forbidden = new Set(["new_msg", "msg_edited", "msg_deleted", "phx_error"]);
  const seedIds = new Set(seeded.map((m) => m.id));
  const leaked = observer.frames.filter((f) => forbidden.has(f[3]) && !(f[3] === "new_msg" && seedIds.has(f[4].id)));
  assert.deepEqual(leaked, [], "the bystander received nothing but presence");
  assert.equal(observer.closed, null, "the bystander is still connected");
  assert.ok(results.length >= 50, `only ${results.length} hostile inputs`);
  fresh.close();
});
