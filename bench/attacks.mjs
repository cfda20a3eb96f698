// The attacks of issue 27 against parley-hub, measured: what one host on the LAN can take of a
// hub, and what everyone else still gets meanwhile. The hub as shipped: wss:// with its own
// certificate, SQLite in a fresh data directory, default limits. Runs each scenario against the
// build under test and, with --baseline, against an earlier build in the same run (a hub from
// before connect v2 is signed for v1, over its Host header). Loopback only (the "other host" is
// 127.0.0.2, half-open sources 127.0.0.10 and up); every hub is started here and stopped.
//
//   node bench/attacks.mjs --hub build/app/parley-hub/parley-hub [--baseline OLD/parley-hub]
//
// Prints a markdown table (docs/benchmarks.md, "Attacks"). Needs tests/interop/node_modules.
import { spawn } from "node:child_process";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(new URL("../tests/interop/package.json", import.meta.url));
const { WebSocket } = require("ws");

const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : null; };
const builds = [["this build", option("--hub") ?? "build/app/parley-hub/parley-hub"]];
if (option("--baseline")) builds.push(["baseline", option("--baseline")]);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const rssKb = (pid) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]);

// --- a hub, and signing for it ---------------------------------------------------------------
async function startHub(binary, extra = [], dir = null) {
  const ownDir = dir ?? mkdtempSync(path.join(tmpdir(), "parley-attacks-"));
  const child = spawn(binary, ["--port", "0", "--bind", "127.0.0.1", "--discovery", "off",
    "--data-dir", ownDir, "--max-connections", "20000", ...extra], { stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  const [port, fingerprint] = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${out}`)), 15000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/^Listening on wss:\/\/\S+?:(\d+)\/socket fingerprint sha256:([0-9a-f]{64})/m);
      if (match) { clearTimeout(timer); resolve([Number(match[1]), match[2]]); }
    });
  });
  // v2 binds the certificate (the hub prints its id beside it); an older hub is signed for v1.
  const v2 = /hub id \S+/.test(out);
  return {
    port, pid: child.pid, dir: ownDir, binding: v2 ? `fp:${fingerprint}` : null,
    url: `wss://127.0.0.1:${port}/socket/websocket`,
    async stop({ keep = false } = {}) {
      child.kill("SIGTERM");
      await once(child, "exit");
      if (!keep) rmSync(ownDir, { recursive: true, force: true });
    },
  };
}

let lastTs = 0;
function newUser() {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { privateKey, key: raw.toString("base64url"),
    userId: createHash("sha256").update(raw).digest().subarray(0, 16).toString("base64url") };
}
function connectUrl(hub, user, extra = {}) {
  lastTs = Math.max(Date.now(), lastTs + 1);
  const bound = hub.binding ?? `127.0.0.1:${hub.port}`;
  const message = `parley-connect-${hub.binding ? "v2" : "v1"}\n${bound}\n${lastTs}\n${user.userId}`;
  const params = { vsn: "2.0.0", nick: "bench", user_id: user.userId, key: user.key, ts: String(lastTs),
    sig: sign(null, Buffer.from(message), user.privateKey).toString("base64url"), ...extra };
  return `${hub.url}?${new URLSearchParams(params)}`;
}

// A raw client: frames as arrays, bytes counted, closes recorded; `from`: the local address.
function client(url, from = "127.0.0.1") {
  const ws = new WebSocket(url, { localAddress: from, maxPayload: 64 << 20, rejectUnauthorized: false });
  const c = { ws, frames: [], bytes: 0, closed: null, waiters: [] };
  ws.on("message", (data) => {
    c.bytes += data.length;
    const frame = JSON.parse(data.toString());
    frame.receivedAt = Date.now();
    c.frames.push(frame);
    for (const w of [...c.waiters]) if (w.pred(frame)) { c.waiters.splice(c.waiters.indexOf(w), 1); w.resolve(frame); }
  });
  ws.on("close", (code, reason) => { c.closed = [code, reason.toString()]; for (const w of c.waiters) w.resolve(null); });
  ws.on("error", () => {});
  c.open = () => new Promise((resolve) => { ws.once("open", () => resolve(true)); ws.once("close", () => resolve(false)); });
  c.send = (frame) => ws.readyState === 1 && ws.send(JSON.stringify(frame));
  c.next = (pred, ms = 30000) => new Promise((resolve) => {
    const found = c.frames.find(pred);
    if (found) return resolve(found);
    if (c.closed) return resolve(null);
    const waiter = { pred, resolve };
    c.waiters.push(waiter);
    setTimeout(() => { const i = c.waiters.indexOf(waiter); if (i >= 0) { c.waiters.splice(i, 1); resolve(null); } }, ms);
  });
  c.request = async (frame, ms) => { c.send(frame); return c.next((f) => f[1] === frame[1] && f[3] === "phx_reply", ms); };
  c.close = () => ws.terminate();
  return c;
}
async function opened(hub, user = newUser(), from = "127.0.0.1", extra = {}) {
  const c = client(connectUrl(hub, user, extra), from);
  await c.open();
  const hb = await c.request([null, "hb", "phoenix", "heartbeat", {}], 5000);
  return hb ? c : (c.close(), null);
}

// --- the scenarios -----------------------------------------------------------------------------
// Room password guesses from one address (4 connections, 30 events/s each, for 8 s) at a hub
// just restarted, and a right password from another host joining in the middle.
async function roomPasswordGuesses(binary) {
  const made = await startHub(binary);
  const creator = await opened(made);
  await creator.request(["1", "1", "hub:lobby", "phx_join", {}]);
  await creator.request(["1", "2", "hub:lobby", "create_room", { name: "vault", password: "open sesame" }]);
  creator.close();
  await made.stop({ keep: true });
  // Restarted: no right password is known yet, every one is checked (PBKDF2).
  const hub = await startHub(binary, [], made.dir);
  const owner = await opened(hub);
  const guessers = await Promise.all([0, 1, 2, 3].map(() => opened(hub)));
  const seconds = 8;
  const started = Date.now();
  let sent = 0;
  const ticker = setInterval(() => { for (const g of guessers) { g.send([`g${sent}`, `g${sent}`, "room:vault", "phx_join", { password: `guess ${sent}` }]); sent += 1; } }, 34);
  await sleep(4000);
  const friend = await opened(hub, newUser(), "127.0.0.2");
  const asked = Date.now();
  const answer = await friend.request(["f", "f", "room:vault", "phx_join", { password: "open sesame" }], 60000);
  const rightMs = answer?.[4]?.status === "ok" ? Date.now() - asked : null;
  await sleep(Math.max(0, started + seconds * 1000 - Date.now()));
  clearInterval(ticker);
  const attackEnded = Date.now();
  const refusedAsWrong = (f) => f[3] === "phx_reply" && f[4]?.response?.reason === "unauthorized";
  const checkedBy = (until) => guessers.reduce((n, g) => n + g.frames.filter((f) => refusedAsWrong(f) && f.receivedAt <= until).length, 0);
  await sleep(3000); // what is still being checked afterwards
  const checked = checkedBy(attackEnded);
  const later = checkedBy(Infinity) - checked;
  for (const c of [owner, friend, ...guessers]) c.close();
  await hub.stop();
  return { "room password: guesses checked per second from one address": (checked / seconds).toFixed(1),
    "room password: guesses still checked in the 3 s after the attack": later,
    "room password: a right one from another host gets in after, ms": rightMs ?? "never (60 s)" };
}

// Hub password guesses: 50 connects a second from one address for 5 s, one signed connect
// reused with each guess (the password is not signed), then fresh signatures; every answer is
// waited for (an older hub held refusals back, up to 5 s each, but checked them at once).
async function hubPasswordGuesses(binary) {
  const hub = await startHub(binary, ["--password", "the right one"]);
  const user = newUser();
  const reused = connectUrl(hub, user);
  const tally = async (makeUrl) => {
    const answers = [];
    for (let i = 0; i < 250; i++) {
      const c = client(makeUrl(i));
      answers.push(new Promise((resolve) => c.ws.once("close", (code, reason) => resolve(reason.toString()))));
      await sleep(20);
    }
    const reasons = await Promise.all(answers);
    return (reasons.filter((reason) => reason === "unauthorized").length / 5).toFixed(1);
  };
  const sameConnect = await tally((i) => `${reused}&password=guess${i}`);
  const freshConnects = await tally((i) => connectUrl(hub, user, { password: `fresh${i}` }));
  await hub.stop();
  return { "hub password: guesses checked per second, one signed connect reused": sameConnect,
    "hub password: guesses checked per second, fresh signatures": freshConnects };
}

// 3,000 TCP connections that never send a byte: spread over 200 addresses, and from one.
async function halfOpen(binary) {
  const rows = {};
  for (const [label, sources] of [["spread over 200 addresses", 200], ["from one address", 1]]) {
    const hub = await startHub(binary);
    await sleep(300);
    const before = rssKb(hub.pid);
    const sockets = [];
    for (let i = 0; i < 3000; i++) {
      const socket = net.connect({ host: "127.0.0.1", port: hub.port, localAddress: `127.0.0.${10 + (i % sources)}` });
      socket.on("error", () => {});
      sockets.push(socket);
      if (i % 200 === 199) await sleep(20);
    }
    await sleep(2000);
    const open = sockets.filter((s) => !s.destroyed && s.readyState === "open").length;
    const grew = rssKb(hub.pid) - before;
    for (const s of sockets) s.destroy();
    await hub.stop();
    rows[`3,000 half-open connections ${label}: hub RSS growth, MB`] = (grew / 1024).toFixed(1);
    rows[`3,000 half-open connections ${label}: still open after 2 s`] = open;
  }
  return rows;
}

// 2,000 idle WebSocket connections from one address, then one from another host.
async function connectionsFromOneAddress(binary) {
  const hub = await startHub(binary);
  await sleep(300);
  const before = rssKb(hub.pid);
  const clients = [];
  let accepted = 0;
  for (let i = 0; i < 2000; i += 50) {
    const batch = await Promise.all(Array.from({ length: 50 }, () => opened(hub)));
    for (const c of batch) if (c) { accepted += 1; clients.push(c); }
  }
  const grew = rssKb(hub.pid) - before;
  const other = await opened(hub, newUser(), "127.0.0.2");
  for (const c of [...clients, other]) c?.close();
  await hub.stop();
  return { "2,000 connections from one address: accepted": accepted,
    "2,000 connections from one address: hub RSS growth, MB": (grew / 1024).toFixed(1),
    "2,000 connections from one address: another host gets in": other ? "yes" : "no" };
}

// Join/leave churn on a room whose history is 50 messages of 4,000 characters, 20 connections of
// one address for 8 s (each within the 30 events/s rate), and another host's round trip.
async function joinLeaveChurn(binary) {
  const hub = await startHub(binary);
  const poster = await opened(hub);
  await poster.request(["1", "1", "room:general", "phx_join", {}]);
  for (let i = 0; i < 50; i++) await poster.request(["1", `m${i}`, "room:general", "new_msg", { body: "x".repeat(4000) }]);
  await sleep(2000); // the rate limit's bucket back to full
  const churners = await Promise.all(Array.from({ length: 20 }, () => opened(hub)));
  const witness = await opened(hub, newUser(), "127.0.0.2");
  const before = rssKb(hub.pid);
  let received = 0;
  let sentBytes = 0;
  const until = Date.now() + 8000;
  const loops = churners.map(async (c) => {
    const start = c.bytes;
    for (let i = 0; Date.now() < until; i++) {
      const join = [`j${i}`, `j${i}`, "room:general", "phx_join", {}];
      const leave = [`j${i}`, `l${i}`, "room:general", "phx_leave", {}];
      sentBytes += JSON.stringify(join).length + JSON.stringify(leave).length;
      const reply = await c.request(join, 10000);
      if (reply?.[4]?.status === "ok") await c.request(leave, 10000);
      else await sleep(Math.min(reply?.[4]?.response?.retry_after_ms ?? 100, Math.max(0, until - Date.now())));
    }
    received += c.bytes - start;
  });
  const rtts = [];
  while (Date.now() < until) {
    const t = Date.now();
    await witness.request([null, `w${rtts.length}`, "phoenix", "heartbeat", {}], 30000);
    rtts.push(Date.now() - t);
    await sleep(200);
  }
  await Promise.all(loops);
  const peak = rssKb(hub.pid) - before;
  rtts.sort((a, b) => a - b);
  for (const c of [poster, witness, ...churners]) c.close();
  await hub.stop();
  return { "join/leave churn: bytes the hub sent per byte received": (received / sentBytes).toFixed(0),
    "join/leave churn: MB the hub sent per second": (received / 8 / 1e6).toFixed(1),
    "join/leave churn: hub RSS growth, MB": (peak / 1024).toFixed(1),
    "join/leave churn: another host's round trip, median / max, ms": `${rtts[rtts.length >> 1]} / ${rtts.at(-1)}` };
}

// One user makes locked rooms as fast as the rate limit lets it, for 10 s.
async function roomQuota(binary) {
  const hub = await startHub(binary);
  const maker = await opened(hub);
  await maker.request(["1", "1", "hub:lobby", "phx_join", {}]);
  let made = 0;
  const until = Date.now() + 10000;
  for (let i = 0; Date.now() < until; i++) {
    const reply = await maker.request(["1", `c${i}`, "hub:lobby", "create_room", { name: `spam-${i}`, password: "x" }]);
    if (reply?.[4]?.status === "ok") made += 1;
    if (reply?.[4]?.response?.reason === "rate_limited") await sleep(40);
  }
  const other = await opened(hub, newUser(), "127.0.0.2");
  await other.request(["1", "1", "hub:lobby", "phx_join", {}]);
  const theirs = await other.request(["1", "2", "hub:lobby", "create_room", { name: "mine" }]);
  for (const c of [maker, other]) c.close();
  await hub.stop();
  return { "rooms one user made in 10 s": made, "another user (another host) may still make one": theirs?.[4]?.status === "ok" ? "yes" : "no" };
}

const scenarios = [roomPasswordGuesses, hubPasswordGuesses, halfOpen, connectionsFromOneAddress, joinLeaveChurn, roomQuota];
const results = builds.map(() => ({}));
for (const scenario of scenarios) {
  for (let b = 0; b < builds.length; b++) {
    process.stderr.write(`${scenario.name} on ${builds[b][0]}…\n`);
    Object.assign(results[b], await scenario(builds[b][1]));
  }
}
console.log(`| measured (${new Date().toISOString().slice(0, 10)}, ${fileURLToPath(import.meta.url).split("/").slice(-2).join("/")}) | ${builds.map(([name]) => name).join(" | ")} |`);
console.log(`|---|${builds.map(() => "---").join("|")}|`);
for (const key of Object.keys(results[0]))
  console.log(`| ${key} | ${results.map((r) => r[key]).join(" | ")} |`);
process.exit(0);
