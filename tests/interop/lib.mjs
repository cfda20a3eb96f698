// Helpers for the interop tests: start a real parley-hub on 127.0.0.1 port 0, make stock
// phoenix.js clients (ws as transport), and wait for conditions with a bounded time.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { Socket, Presence } from "phoenix";
import { WebSocket as PlainWebSocket } from "ws";

// PARLEY_TLS=1 (the _tls variants in interop.cmake): every hub this process starts serves
// wss://, and every WebSocket made through this module trusts exactly those hubs' certificates
// (as authorities for ws, and by fingerprint in checkServerIdentity).
export const overTls = process.env.PARLEY_TLS === "1";
const trustedCertificates = new Map(); // port -> PEM of the hub listening there
const trustedFingerprints = new Set();

class WebSocket extends PlainWebSocket {
  constructor(address, protocols, options) {
    if (protocols && typeof protocols === "object" && !Array.isArray(protocols)) {
      options = protocols;
      protocols = undefined;
    }
    const secure = String(address).startsWith("wss:");
    // Only the certificate of the hub on that port as the authority: hubs made one after the
    // other share a name, and OpenSSL would take another one's certificate for the issuer.
    const ca = secure ? trustedCertificates.get(Number(new URL(address).port)) : undefined;
    super(address, protocols, secure ? {
      ca: ca ? [ca] : [],
      checkServerIdentity: (_host, certificate) => (trustedFingerprints.has(
        createHash("sha256").update(certificate.raw).digest("hex"))
        ? undefined : new Error("not a certificate of a hub this test started")),
      ...options,
    } : options);
  }
}

export { Socket, Presence, WebSocket };

const hubBinary = process.env.PARLEY_HUB;
if (!hubBinary) throw new Error("PARLEY_HUB must point at the parley-hub binary");

export { newIdentity, identityOf, newUserId, signedParams, connectMessage, hubBindingOf } from "./identity.mjs";
import { newUserId, setHubBinding, signedParams } from "./identity.mjs";

// Starts parley-hub; resolves { url, port, process, stop(), kill() } once it printed its URL.
// Plain ws:// unless `tls` (then `url` is wss:// and `fingerprint` the certificate's).
export async function startHub({ port = 0, args = [], dataDir = null, tls = overTls } = {}) {
  const ownDir = dataDir ? null : mkdtempSync(path.join(tmpdir(), "parley-interop-"));
  const dir = dataDir ?? ownDir;
  const child = spawn(hubBinary, ["--port", String(port), "--bind", "127.0.0.1",
    "--discovery", "off", "--data-dir", dir, ...(tls ? [] : ["--no-tls"]), ...args],
    { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  let fingerprint = null;
  let hubId = null;
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start: ${out}`)), 10000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = out.match(/^Listening on (wss?:\/\/\S+)(?: fingerprint sha256:([0-9a-f]{64}))? hub id (\S+)$/m);
      if (match) { clearTimeout(timer); fingerprint = match[2] ?? null; hubId = match[3]; resolve(match[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`hub exited ${code}: ${out}`)); });
  });
  const actualPort = Number(new URL(url).port);
  setHubBinding(actualPort, { fingerprint, hubId });
  if (fingerprint) {
    trustedCertificates.set(actualPort, readFileSync(path.join(dir, "hub-cert.pem")));
    trustedFingerprints.add(fingerprint);
  }
  return {
    url: `${tls ? "wss" : "ws"}://127.0.0.1:${actualPort}/socket`,
    printed: url,
    fingerprint,
    hubId,
    port: actualPort,
    dataDir: dir,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
      if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await once(child, "exit");
      }
    },
    cleanup() { if (ownDir) rmSync(ownDir, { recursive: true, force: true }); },
  };
}

// A phoenix.js Socket with ws as transport, connected; resolves once open.
export async function connect(url, params = {}, options = {}) {
  const fixed = { user_id: newUserId(), nick: "tester", device: "bot", ...params };
  const socket = new Socket(url, {
    transport: WebSocket,
    // A function: phoenix.js calls it before every connect, so each reconnect signs afresh.
    params: () => signedParams(url, fixed),
    ...options,
  });
  const opened = new Promise((resolve) => socket.onOpen(resolve));
  socket.connect();
  if (options.waitOpen !== false) await withTimeout(opened, 5000, "socket open");
  return socket;
}

export function join(channel, timeoutMs = 5000) {
  return withTimeout(new Promise((resolve, reject) => {
    channel.join()
      .receive("ok", resolve)
      .receive("error", (reply) => reject(Object.assign(new Error(`join error ${JSON.stringify(reply)}`), { reply })))
      .receive("timeout", () => reject(new Error("join timeout")));
  }), timeoutMs, `join ${channel.topic}`);
}

// Resolves { status, response } of one push.
export function push(channel, event, payload, timeoutMs = 5000) {
  return new Promise((resolve) => {
    channel.push(event, payload, timeoutMs)
      .receive("ok", (response) => resolve({ status: "ok", response }))
      .receive("error", (response) => resolve({ status: "error", response }))
      .receive("timeout", () => resolve({ status: "timeout", response: null }));
  });
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// Polls `predicate` until it returns truthy or the time runs out.
export async function waitFor(predicate, ms = 5000, what = "condition") {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === "function" ? what() : what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// A raw ws client speaking v2 frames, for checks phoenix.js would hide. `options` go to ws (e.g.
// { localAddress: "127.0.0.2" }: another host, to the hub's per-address limits).
export async function rawClient(url, params = {}, options = {}) {
  const query = new URLSearchParams(signedParams(url, { user_id: newUserId(), nick: "raw", ...params, vsn: "2.0.0" }));
  const ws = new WebSocket(`${url}/websocket?${query}`, options);
  const frames = [];
  let closeInfo = null;
  let received = 0;
  ws.on("message", (data) => { received += data.length; frames.push(JSON.parse(data.toString())); });
  ws.on("close", (code, reason) => { closeInfo = { code, reason: reason.toString() }; });
  await withTimeout(once(ws, "open"), 5000, "raw open");
  return {
    ws, frames,
    get closed() { return closeInfo; },
    get bytes() { return received; },
    send(frame) { ws.send(JSON.stringify(frame)); },
    async next(pred, ms = 5000) {
      return waitFor(() => frames.find(pred), ms, "frame");
    },
    close() { ws.terminate(); },
  };
}

export function disconnectAll(...sockets) {
  return Promise.all(sockets.map((s) => new Promise((resolve) => s.disconnect(resolve, 1000))));
}

// A raw v2 client for pipelined load (crash test, benchmark). request() sends one frame and
// resolves with the reply payload {status, response}; join() uses its own ref as join_ref and
// remembers it for later requests on that topic. Frames that answer no pending request go to
// onFrame listeners. When the socket closes (a killed hub), every pending request is rejected
// with err.closed = true.
export async function rawSession(url, params = {}) {
  const query = new URLSearchParams(signedParams(url, { user_id: newUserId(), nick: "raw", ...params, vsn: "2.0.0" }));
  const ws = new WebSocket(`${url}/websocket?${query}`);
  const pending = new Map();
  const listeners = new Set();
  const joinRefs = new Map();
  let lastRef = 0;
  let closeInfo = null;
  const closedError = () => Object.assign(new Error(`socket closed ${closeInfo?.code}`), { closed: true });
  ws.on("error", () => {}); // a killed hub resets the connection; "close" follows
  ws.on("message", (data) => {
    const frame = JSON.parse(data.toString());
    const waiter = frame[3] === "phx_reply" ? pending.get(frame[1]) : undefined;
    if (waiter) {
      pending.delete(frame[1]);
      clearTimeout(waiter.timer);
      waiter.resolve(frame[4]);
    } else {
      for (const listener of listeners) listener(frame);
    }
  });
  ws.on("close", (code, reason) => {
    closeInfo = { code, reason: reason.toString() };
    for (const waiter of pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(closedError());
    }
    pending.clear();
  });
  await withTimeout(once(ws, "open"), 5000, "raw session open");

  function send(topic, event, payload, joinRef, timeoutMs) {
    lastRef += 1;
    const ref = String(lastRef);
    return new Promise((resolve, reject) => {
      if (closeInfo) return reject(closedError());
      const timer = setTimeout(() => {
        pending.delete(ref);
        reject(new Error(`timed out: ${event} on ${topic}`));
      }, timeoutMs);
      pending.set(ref, { resolve, reject, timer });
      ws.send(JSON.stringify([joinRef === "self" ? ref : joinRef, ref, topic, event, payload]));
      if (joinRef === "self") joinRefs.set(topic, ref);
    });
  }
  return {
    ws,
    get closed() { return closeInfo; },
    get inFlight() { return pending.size; },
    join(topic, params = {}, timeoutMs = 10000) { return send(topic, "phx_join", params, "self", timeoutMs); },
    request(topic, event, payload, timeoutMs = 10000) {
      return send(topic, event, payload, joinRefs.get(topic) ?? null, timeoutMs);
    },
    onFrame(listener) { listeners.add(listener); return () => listeners.delete(listener); },
    close() { ws.terminate(); },
  };
}

// Every message of a topic, oldest first: joins with after_id (the catch-up path) and joins
// again from the last id while the hub says has_more.
export async function catchUpAll(session, topic, params = {}) {
  const messages = [];
  let afterId = 0;
  for (;;) {
    const reply = await session.join(topic, { ...params, after_id: afterId });
    if (reply.status !== "ok") throw new Error(`catch-up join failed: ${JSON.stringify(reply)}`);
    messages.push(...reply.response.messages);
    if (!reply.response.has_more) return messages;
    afterId = messages.at(-1).id;
  }
}
