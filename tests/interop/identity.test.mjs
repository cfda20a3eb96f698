// Identity with the stock phoenix.js client (docs/protocol.md, "Identity (signed connect)"):
// it signs with Node's crypto, with params as a function so every reconnect signs afresh, and
// a second person who knows a user's user_id (from presence, from any message) but not the key
// cannot connect as them, cannot join their direct messages, cannot edit or delete their
// messages, and shows up in presence as someone else. A connect is bound to the hub the client
// verified (its certificate over wss://, its id over ws://, which GET /hub tells): another hub
// that received it cannot use it here, whatever Host header it forges. Runs over ws:// and
// wss:// (interop_identity_tls).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, sign } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { startHub, connect, join, push, waitFor, newIdentity, signedParams, connectMessage, hubBindingOf,
  disconnectAll, Socket, Presence, WebSocket, overTls } from "./lib.mjs";

let hub;
before(async () => { hub = await startHub(); });
after(async () => { await hub.stop(); });

// The close code and reason a connect with these params gets (at `url`, with these headers).
function refusal(params, url = hub.url, headers = {}) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}/websocket?${new URLSearchParams({ vsn: "2.0.0", ...params })}`, { headers });
    ws.on("close", (code, reason) => resolve([code, reason.toString()]));
    ws.on("error", () => {});
  });
}

// GET /hub on a hub's port, over its TLS when it has one: [status, headers, body, certificate].
function getHubInfo(port) {
  return new Promise((resolve, reject) => {
    const get = overTls ? https.get : http.get;
    const request = get({ host: "127.0.0.1", port, path: "/hub", rejectUnauthorized: false }, (response) => {
      let body = "";
      response.on("data", (chunk) => { body += chunk; });
      response.on("end", () => resolve([response.statusCode, response.headers, body,
        overTls ? response.socket.getPeerCertificate().raw : null]));
    });
    request.on("error", reject);
    request.setTimeout(5000, () => request.destroy(new Error("GET /hub timed out")));
  });
}

test("GET /hub names the hub: its id, name, and over wss:// the fingerprint it serves", async () => {
  const [status, headers, body, certificate] = await getHubInfo(hub.port);
  assert.equal(status, 200);
  assert.match(headers["content-type"], /^application\/json/);
  const info = JSON.parse(body);
  assert.deepEqual(Object.keys(info).sort(), ["fp", "hub_id", "name", "protocol", "tls"]);
  assert.equal(info.hub_id, hub.hubId);
  assert.equal(info.protocol, 2);
  assert.equal(info.tls, overTls);
  if (overTls) {
    assert.equal(info.fp, hub.fingerprint);
    assert.equal(createHash("sha256").update(certificate).digest("hex"), hub.fingerprint);
    assert.equal(hubBindingOf(hub.url), `fp:${hub.fingerprint}`);
  } else {
    assert.equal(info.fp, null);
    assert.equal(hubBindingOf(hub.url), `hub:${info.hub_id}`);
  }
});

test("a connect another hub received is worthless here, whatever Host it forges", async () => {
  const robsHub = await startHub();
  try {
    const ana = newIdentity();
    // Ana joins Rob's hub: the connect is good there.
    const atRobs = signedParams(robsHub.url, { user_id: ana.userId, nick: "Ana" });
    const socket = await connect(robsHub.url, {}, { params: () => atRobs });
    assert.equal((await join(socket.channel("hub:lobby", {}))).you.user_id, ana.userId);
    await disconnectAll(socket);
    // Rob replays it here, as it was, then with this hub's Host and with a name of his own.
    for (const host of [`127.0.0.1:${robsHub.port}`, `127.0.0.1:${hub.port}`, "evil.example:1"]) {
      assert.deepEqual(await refusal(atRobs, hub.url, { Host: host }), [1008, "unauthorized"], host);
    }
    // v1 bound the Host header: a v1 connect for exactly the Host sent is refused too.
    const ts = Date.now();
    const v1 = Buffer.from(`parley-connect-v1\nevil.example:1\n${ts}\n${ana.userId}`);
    assert.deepEqual(await refusal({ user_id: ana.userId, nick: "Ana", key: ana.publicKey.toString("base64url"),
      ts: String(ts), sig: sign(null, v1, ana.privateKey).toString("base64url") }, hub.url, { Host: "evil.example:1" }),
    [1008, "unauthorized"]);
  } finally {
    await robsHub.stop();
  }
});

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
  const elsewhere = signedParams(hub.url, { user_id: ana.userId, nick: "Ana" },
    overTls ? `fp:${"0".repeat(64)}` : "hub:another-hub");
  assert.deepEqual(await refusal(elsewhere), [1008, "unauthorized"]);
});

test("a client whose clock is off learns the hub's time from clock_skew and gets in", async () => {
  const ana = newIdentity();
  const message = (ts) => connectMessage(hubBindingOf(hub.url), ts, ana.userId);
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
