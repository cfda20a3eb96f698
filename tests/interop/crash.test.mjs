// Issue "History and durability": an acknowledged message survives a crash. A raw client
// pipelines new_msg into parley-hub, the hub is SIGKILLed after a random number of acks, and
// after a restart on the same data dir every acked message is there exactly once, in ack order,
// and new ids are larger than all old ones. Three rounds on one data dir, so each restart also
// recovers what the previous crashes left.
//
// The kill moments come from a seeded generator; the seed is printed. Repeat a run with
// PARLEY_CRASH_SEED=<seed>.
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startHub, rawSession, catchUpAll } from "./lib.mjs";

const rounds = 3;
const maxMessages = 2000;
const window = 16; // new_msg in flight at once
const topic = "room:general";

// mulberry32: small, seedable, good enough to pick kill moments.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// SIGKILL, and wait for the exit. (lib's kill() checks only exitCode, which stays null after a
// death by signal, so a second kill() of a dead hub would wait forever.)
async function killHub(hub) {
  const child = hub.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGKILL");
  await exited;
}

// Sends up to maxMessages new_msg with `window` in flight, calls onAck for every ok reply (in
// the order the replies arrive) and stops sending when the socket goes away.
async function flood(session, round, onAck) {
  let next = 0;
  let failure = null;
  async function lane() {
    while (next < maxMessages && !session.closed && !failure) {
      const i = next++;
      const clientId = `crash-r${round}-${String(i).padStart(5, "0")}`;
      const body = `round ${round} message ${i}`;
      let reply;
      try {
        reply = await session.request(topic, "new_msg", { body, client_id: clientId }, 15000);
      } catch (err) {
        if (err.closed) return; // the hub was killed with this one in flight
        throw err;
      }
      if (reply.status !== "ok") {
        failure = new Error(`new_msg ${clientId}: ${JSON.stringify(reply)}`);
        return;
      }
      onAck({ id: reply.response.message.id, client_id: clientId, body });
    }
  }
  await Promise.all(Array.from({ length: window }, lane));
  if (failure) throw failure;
}

// Every message of the topic, twice: by after_id catch-up and by history paging back from the
// newest; both must agree.
async function readAll(session) {
  const forward = await catchUpAll(session, topic);
  const joined = await session.join(topic, {});
  assert.equal(joined.status, "ok");
  const backward = [...joined.response.messages];
  let hasMore = joined.response.has_more;
  while (hasMore) {
    const page = await session.request(topic, "history", { before_id: backward[0].id, limit: 100 });
    assert.equal(page.status, "ok", JSON.stringify(page));
    backward.unshift(...page.response.messages);
    hasMore = page.response.has_more;
  }
  assert.deepEqual(backward.map((m) => m.id), forward.map((m) => m.id), "history paging agrees with catch-up");
  return forward;
}

test("every acknowledged message survives SIGKILL exactly once, in ack order", { timeout: 120000 }, async () => {
  const seed = process.env.PARLEY_CRASH_SEED ? Number(process.env.PARLEY_CRASH_SEED) : (Date.now() % 2 ** 31);
  const rng = random(seed);
  console.log(`crash test seed ${seed} (repeat with PARLEY_CRASH_SEED=${seed})`);
  const dataDir = mkdtempSync(path.join(tmpdir(), "parley-crash-"));
  const acked = []; // every round's acks, in ack order
  let hub = null;
  try {
    for (let round = 1; round <= rounds; round++) {
      const killAt = 200 + Math.floor(rng() * 1301); // 200..1500 acks
      hub = await startHub({ dataDir, args: ["--max-rate", "0"] });
      const session = await rawSession(hub.url, { user_id: "crash_writer", nick: "crash" });
      const joined = await session.join(topic, {});
      assert.equal(joined.status, "ok");

      const roundAcks = [];
      const started = Date.now();
      const exited = once(hub.process, "exit");
      await flood(session, round, (ack) => {
        roundAcks.push(ack);
        acked.push(ack);
        if (roundAcks.length === killAt) hub.process.kill("SIGKILL");
      });
      await exited;
      const elapsed = Date.now() - started;
      assert.ok(roundAcks.length >= killAt, `the hub acked ${roundAcks.length} before dying, wanted ${killAt}`);
      assert.ok(roundAcks.length < maxMessages, "the kill came before the last message");
      for (let i = 1; i < roundAcks.length; i++) {
        assert.ok(roundAcks[i].id > roundAcks[i - 1].id, `ack order is id order at ack ${i}`);
      }

      hub = await startHub({ dataDir, args: ["--max-rate", "0"] });
      const reader = await rawSession(hub.url);
      const stored = await readAll(reader);

      // Every ack of every round so far: present once, same body, in ack order.
      const byClientId = new Map();
      for (const m of stored) {
        assert.ok(!byClientId.has(m.client_id), `client_id ${m.client_id} stored twice`);
        byClientId.set(m.client_id, m);
      }
      let lastIndex = -1;
      for (const ack of acked) {
        const m = byClientId.get(ack.client_id);
        assert.ok(m, `acked ${ack.client_id} (id ${ack.id}) is missing after the restart`);
        assert.equal(m.id, ack.id, `${ack.client_id} keeps its id`);
        assert.equal(m.body, ack.body);
        assert.equal(m.deleted, false);
        const index = stored.indexOf(m);
        assert.ok(index > lastIndex, `${ack.client_id} is stored in ack order`);
        lastIndex = index;
      }
      const ackedIds = new Set(acked.map((a) => a.id));
      const unacked = stored.filter((m) => m.client_id?.startsWith(`crash-r${round}-`) && !ackedIds.has(m.id));
      const maxAcked = roundAcks.at(-1).id;
      for (const m of unacked) assert.ok(m.id > maxAcked, `unacked ${m.id} was committed after the last ack`);
      assert.ok(unacked.length <= window, `${unacked.length} stored without an ack, at most ${window} were in flight`);
      const ofRound = stored.filter((m) => m.client_id?.startsWith(`crash-r${round}-`)).length;

      // The same writer resends its last acked client_id: the original comes back, stored once.
      const writer = await rawSession(hub.url, { user_id: "crash_writer", nick: "crash" });
      assert.equal((await writer.join(topic, { after_id: stored.at(-1).id })).status, "ok");
      const last = roundAcks.at(-1);
      const resent = await writer.request(topic, "new_msg", { body: last.body, client_id: last.client_id });
      assert.equal(resent.response.message.id, last.id, "a resend after the crash gets the original id");
      // New messages get ids above everything stored before the crash.
      const fresh = await writer.request(topic, "new_msg", { body: `after crash ${round}`, client_id: `crash-after-${round}` });
      assert.equal(fresh.status, "ok");
      const maxOld = stored.at(-1).id;
      assert.ok(fresh.response.message.id > maxOld, `new id ${fresh.response.message.id} > old ${maxOld}`);

      console.log(`round ${round}: kill after ${killAt} acks; acked ${roundAcks.length} in ${elapsed} ms; ` +
        `after restart ${ofRound} of this round stored (all ${roundAcks.length} acked found once), ` +
        `${unacked.length} stored but unacked; ${stored.length} messages in the room; ` +
        `new id ${fresh.response.message.id} > ${maxOld}`);
      reader.close();
      writer.close();
      session.close();
      await hub.stop();
      hub = null;
    }
  } finally {
    if (hub) await killHub(hub);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
