// The stock phoenix.js client inside a real browser (Debian's Chromium, driven by
// playwright-core) against parley-hub: the browser's own WebSocket, its Origin header and the
// hub's origin check, talking with a phoenix.js client under Node. Loopback only: the page is
// served by a small HTTP server on 127.0.0.1 and Chromium runs with background networking off.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { chromium } from "playwright-core";
import { startHub, connect, join, push, waitFor, disconnectAll, hubBindingOf, Presence } from "./lib.mjs";

const chromiumPath = process.env.PARLEY_CHROMIUM;
if (!chromiumPath) throw new Error("PARLEY_CHROMIUM must point at Debian's chromium");

const phoenixModule = readFileSync(new URL("./node_modules/phoenix/priv/static/phoenix.mjs", import.meta.url));
const page = `<!doctype html><meta charset="utf-8"><title>parley browser test</title>
<script type="module">
  import { Socket, Presence } from "/phoenix.mjs";
  window.parley = { Socket, Presence };
  document.title = "ready";
</script>`;

let hub, web, browser;

before(async () => {
  hub = await startHub();
  web = createServer((request, response) => {
    if (request.url === "/phoenix.mjs") {
      response.writeHead(200, { "content-type": "text/javascript" });
      response.end(phoenixModule);
    } else {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(page);
    }
  });
  web.listen(0, "127.0.0.1");
  await once(web, "listening");
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-domain-reliability", "--no-pings", "--disable-default-apps",
      // Chromium still looks up Google's hosts at start (update, accounts): every name but
      // the two this test uses resolves to nothing, so no DNS query leaves the machine.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"],
  });
});

after(async () => {
  await browser?.close();
  web?.close();
  await hub?.stop();
});

// A browser tab on `origin` (http://HOST:PORT of the test's web server) with phoenix.js loaded.
async function openTab(origin) {
  const tab = await browser.newPage();
  await tab.goto(`${origin}/`);
  await tab.waitForFunction(() => document.title === "ready");
  return tab;
}

function webOrigin(host) {
  return `http://${host}:${web.address().port}`;
}

test("phoenix.js in Chromium signs with WebCrypto, joins, sees a Node client in presence, and they talk", async () => {
  const tab = await openTab(webOrigin("127.0.0.1"));
  const nodeSocket = await connect(hub.url, { nick: "node" });
  const nodeRoom = nodeSocket.channel("room:general", {});
  const nodeBodies = [];
  nodeRoom.on("new_msg", (message) => nodeBodies.push(message.body));
  const nodePresence = new Presence(nodeRoom);
  await join(nodeRoom);

  // In the page: make an identity with WebCrypto (Ed25519), sign the connect for the hub (its
  // id: this hub serves ws://; the page is not served by the hub, so the test tells it what GET
  // /hub says), join, and collect presence and messages. phoenix.js asks for params
  // synchronously, so the page signs first.
  const joined = await tab.evaluate(async ([url, binding]) => {
    const { Socket, Presence } = window.parley;
    const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const keys = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    const raw = await crypto.subtle.exportKey("raw", keys.publicKey);
    const userId = b64url((await crypto.subtle.digest("SHA-256", raw)).slice(0, 16));
    const ts = String(Date.now());
    const message = new TextEncoder().encode(`parley-connect-v2\n${binding}\n${ts}\n${userId}`);
    const sig = b64url(await crypto.subtle.sign({ name: "Ed25519" }, keys.privateKey, message));
    const params = { user_id: userId, key: b64url(raw), ts, sig, nick: "browser", device: "web" };
    const socket = new Socket(url, { params: () => params });
    socket.connect();
    const room = socket.channel("room:general", {});
    window.bodies = [];
    room.on("new_msg", (message) => window.bodies.push(message.body));
    window.presence = new Presence(room);
    window.room = room;
    window.userId = userId;
    return new Promise((resolve) => {
      room.join().receive("ok", (reply) => resolve({ ok: true, reply, userId }))
        .receive("error", (reply) => resolve({ ok: false, reply }))
        .receive("timeout", () => resolve({ ok: false, reply: "timeout" }));
    });
  }, [hub.url, hubBindingOf(hub.url)]);
  assert.equal(joined.ok, true, JSON.stringify(joined.reply));
  assert.equal(joined.reply.room.name, "general");

  // Both see both, through presence_state and presence_diff.
  await tab.waitForFunction((nodeId) => window.presence.list((id) => id).includes(nodeId),
    nodeSocket.params().user_id, { timeout: 5000 });
  const tabId = joined.userId;
  await waitFor(() => nodePresence.list((id) => id).includes(tabId), 5000, "browser in presence");
  const meta = nodePresence.list((id, { metas }) => ({ id, metas }))
    .find((entry) => entry.id === tabId).metas[0];
  assert.equal(meta.device, "web");

  // The browser's message reaches Node once, and Node's reaches the browser.
  const sent = await tab.evaluate(() => new Promise((resolve) => {
    window.room.push("new_msg", { body: "hello from Chromium", client_id: "browser-msg-1" })
      .receive("ok", (reply) => resolve(reply.message))
      .receive("error", (reply) => resolve({ error: reply }));
  }));
  assert.equal(sent.body, "hello from Chromium");
  assert.equal(sent.user_id, tabId);
  const answer = await push(nodeRoom, "new_msg", { body: "hello from Node" });
  assert.equal(answer.status, "ok");
  await tab.waitForFunction(() => window.bodies.includes("hello from Node"), null, { timeout: 5000 });
  await waitFor(() => nodeBodies.includes("hello from Chromium"), 5000, "browser message at Node");
  assert.deepEqual(nodeBodies.filter((body) => body === "hello from Chromium"), ["hello from Chromium"]);

  // Closing the tab is a leave for everyone else.
  await tab.close();
  await waitFor(() => !nodePresence.list((id) => id).includes(tabId), 5000, "browser left");
  await disconnectAll(nodeSocket);
});

test("a page from another origin is refused by the hub's origin check", async () => {
  // Same machine, but the page's Origin (localhost) is not the host the browser addressed
  // (127.0.0.1): the hub refuses the upgrade, as Phoenix's check_origin does.
  const tab = await openTab(webOrigin("localhost"));
  const outcome = await tab.evaluate((url) => new Promise((resolve) => {
    const ws = new WebSocket(`${url}/websocket?vsn=2.0.0&user_id=browser_tab_2&nick=other`);
    ws.onopen = () => resolve("open");
    ws.onerror = () => resolve("refused");
  }), hub.url);
  assert.equal(outcome, "refused");

  // The same page addressing the hub by the name it was served from is accepted.
  const sameHost = await tab.evaluate((port) => new Promise((resolve) => {
    const ws = new WebSocket(`ws://localhost:${port}/socket/websocket?vsn=2.0.0&user_id=browser_tab_3&nick=same`);
    ws.onopen = () => { ws.close(); resolve("open"); };
    ws.onerror = () => resolve("refused");
  }), hub.port);
  assert.equal(sameHost, "open");
  await tab.close();
});
