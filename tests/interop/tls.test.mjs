// Encryption by default (docs/protocol.md, "Encryption by default"): parley-hub serves wss://
// with its own certificate, prints its fingerprint, and keeps it across restarts; the stock
// phoenix.js client over Node's ws connects only when the certificate is the pinned one (ws
// checks the fingerprint itself in checkServerIdentity), so a second hub with another
// certificate on the same address gets nothing.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startHub, join, push, newIdentity, signedParams, disconnectAll, Socket } from "./lib.mjs";
import { fetchPinnedCertificate, pinnedTransport } from "./pinning.mjs";

const dirs = [];
after(() => { for (const dir of dirs) rmSync(dir, { recursive: true, force: true }); });
function dataDir() {
  const dir = mkdtempSync(path.join(tmpdir(), "parley-tls-"));
  dirs.push(dir);
  return dir;
}

function pinnedSocket(hub, fingerprint, certificates, seen, identity = newIdentity()) {
  return new Socket(hub.url, {
    transport: pinnedTransport(fingerprint, certificates, seen),
    reconnectAfterMs: () => 60000, // one attempt per test
    params: () => signedParams(hub.url, { user_id: identity.userId, nick: "Ana", device: "bot" }),
  });
}

test("wss:// by default, the fingerprint printed, phoenix.js works over it when pinned", async () => {
  const dir = dataDir();
  const hub = await startHub({ dataDir: dir, tls: true });
  try {
    assert.match(hub.printed, /^wss:\/\/127\.0\.0\.1:\d+\/socket$/);
    assert.match(hub.fingerprint, /^[0-9a-f]{64}$/);
    const certificate = readFileSync(path.join(dir, "hub-cert.pem"));
    // Fetched over the network and checked against the printed fingerprint: the same file.
    assert.equal(await fetchPinnedCertificate(hub.url, hub.fingerprint), certificate.toString());
    await assert.rejects(fetchPinnedCertificate(hub.url, "0".repeat(64)), /presented/);
    const seen = [];
    const socket = pinnedSocket(hub, hub.fingerprint, [certificate], seen);
    socket.connect();
    const lobby = socket.channel("hub:lobby", {});
    await join(lobby);
    const room = socket.channel("room:general", {});
    await join(room);
    const reply = await push(room, "new_msg", { body: "over TLS", client_id: "tls-00000001" });
    assert.equal(reply.status, "ok");
    assert.equal(reply.response.message.body, "over TLS");
    assert.deepEqual([...new Set(seen)], [hub.fingerprint]);
    disconnectAll(socket);
  } finally {
    await hub.stop();
  }
});

test("the certificate survives a restart; another hub on the same address is refused", async () => {
  const dirA = dataDir();
  const first = await startHub({ dataDir: dirA, tls: true });
  const port = first.port;
  const pinned = first.fingerprint;
  await first.stop();
  const again = await startHub({ dataDir: dirA, tls: true, port });
  assert.equal(again.fingerprint, pinned, "same data directory, same certificate");
  await again.stop();

  // An impostor on the same port: its own data directory, so its own certificate. Its
  // certificate is even given to ws as an authority (under another name, so that OpenSSL does
  // not take the first certificate for its issuer): only the fingerprint check stands.
  const dirB = dataDir();
  const impostor = await startHub({ dataDir: dirB, tls: true, port, args: ["--name", "Impostor"] });
  try {
    assert.notEqual(impostor.fingerprint, pinned);
    const certificates = [readFileSync(path.join(dirA, "hub-cert.pem")), readFileSync(path.join(dirB, "hub-cert.pem"))];
    const seen = [];
    const socket = pinnedSocket(impostor, pinned, certificates, seen);
    const errors = [];
    let opened = false;
    socket.onError((error) => errors.push(error));
    socket.onOpen(() => { opened = true; });
    socket.connect();
    const deadline = Date.now() + 5000;
    while (errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(errors.length > 0, "the connection failed");
    assert.equal(opened, false);
    assert.deepEqual([...new Set(seen)], [impostor.fingerprint], "ws saw the impostor's certificate and refused it");
    disconnectAll(socket);
  } finally {
    await impostor.stop();
  }
});

test("--no-tls serves plain ws:// and prints no fingerprint", async () => {
  const hub = await startHub({ dataDir: dataDir() }); // startHub passes --no-tls unless tls
  try {
    assert.match(hub.printed, /^ws:\/\/127\.0\.0\.1:\d+\/socket$/);
    assert.equal(hub.fingerprint, null);
  } finally {
    await hub.stop();
  }
});
