// Store benchmark: how many new_msg per second parley-hub accepts and durably stores, and the
// push -> ok-reply latency (the ok reply is sent only after the message's transaction commits,
// so this is the latency of a durable write, group commit included).
//
// Run (from the repository root, after `npm ci` in tests/interop and building parley-hub):
//
//   PARLEY_HUB=build/app/parley-hub/parley-hub node bench/store-bench.mjs
//
// Options (environment):
//   STORE_BENCH_MESSAGES   messages per run (default 5000), split evenly over the publishers
//   STORE_BENCH_PUBLISHERS publisher counts to run, comma separated (default 1,50)
//   STORE_BENCH_INFLIGHT   new_msg in flight per publisher, comma separated (default 1,8)
//   STORE_BENCH_ROOMS      "shared" (all publishers in one room, every message is broadcast to
//                          every publisher), "own" (one room per publisher) or both (default)
//   TMPDIR                 where the temporary data directories go (use a real disk: the store
//                          fsyncs every commit, a tmpfs would measure nothing)
//
// Each run starts its own hub on a fresh temporary data dir with --max-rate 0, so runs do not
// see each other's database. Every publisher is a raw Phoenix v2 client (one WebSocket) that
// keeps up to N new_msg in flight. "stored" is counted after the run by after_id catch-up.
// "bench cpu s" is the CPU time this Node process (all publishers, one thread) spent during the
// run: when it is close to "seconds", the load generator, not the hub, is the limit (in a shared
// room every message comes back to every publisher as a broadcast).
// This is a benchmark, not a test: it prints numbers and asserts nothing about speed. It is
// not run by ctest.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startHub, rawSession, catchUpAll } from "../tests/interop/lib.mjs";

const list = (value, fallback) => (value ?? fallback).split(",").map((s) => s.trim()).filter(Boolean);
const totalMessages = Number(process.env.STORE_BENCH_MESSAGES ?? 5000);
const publisherCounts = list(process.env.STORE_BENCH_PUBLISHERS, "1,50").map(Number);
const inFlightCounts = list(process.env.STORE_BENCH_INFLIGHT, "1,8").map(Number);
const roomModes = list(process.env.STORE_BENCH_ROOMS, "shared,own");

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function createRooms(url, names) {
  const admin = await rawSession(url, { user_id: "bench_admin", nick: "admin" });
  if ((await admin.join("hub:lobby", {})).status !== "ok") throw new Error("lobby join failed");
  for (const name of names) {
    const reply = await admin.request("hub:lobby", "create_room", { name });
    if (reply.status !== "ok") throw new Error(`create_room ${name}: ${JSON.stringify(reply)}`);
  }
  admin.close();
}

async function run({ publishers, inFlight, rooms }) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "parley-store-bench-"));
  const hub = await startHub({ dataDir, args: ["--max-rate", "0", "--max-connections", "1000"] });
  try {
    const roomOf = (p) => (rooms === "shared" ? "bench" : `bench-${p}`);
    const roomNames = [...new Set(Array.from({ length: publishers }, (_, p) => roomOf(p)))];
    await createRooms(hub.url, roomNames);
    const sessions = [];
    for (let p = 0; p < publishers; p++) {
      const session = await rawSession(hub.url, { user_id: `bench_pub_${p}`, nick: `pub${p}` });
      const joined = await session.join(`room:${roomOf(p)}`, {});
      if (joined.status !== "ok") throw new Error(`join: ${JSON.stringify(joined)}`);
      sessions.push(session);
    }

    const perPublisher = Math.floor(totalMessages / publishers);
    const latencies = [];
    let failures = 0;
    async function publish(p) {
      const session = sessions[p];
      const topic = `room:${roomOf(p)}`;
      let next = 0;
      async function lane() {
        while (next < perPublisher) {
          const i = next++;
          const started = performance.now();
          const reply = await session.request(topic, "new_msg",
            { body: `bench message ${p}/${i}`, client_id: `bench-${p}-${i}` }, 60000);
          latencies.push(performance.now() - started);
          if (reply.status !== "ok") failures += 1;
        }
      }
      await Promise.all(Array.from({ length: inFlight }, lane));
    }
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    await Promise.all(sessions.map((_, p) => publish(p)));
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);

    let stored = 0;
    const reader = await rawSession(hub.url, { user_id: "bench_reader", nick: "reader" });
    for (const name of roomNames) stored += (await catchUpAll(reader, `room:${name}`)).length;
    reader.close();
    for (const session of sessions) session.close();

    latencies.sort((a, b) => a - b);
    const acked = latencies.length - failures;
    return {
      publishers, inFlight, rooms, sent: latencies.length, acked, failures, stored, seconds,
      clientCpu: (cpu.user + cpu.system) / 1e6,
      rate: acked / seconds,
      p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.at(-1),
    };
  } finally {
    await hub.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const pad = (value, width) => String(value).padStart(width);
const header = ["publishers", "in flight/pub", "rooms", "messages", "stored", "seconds", "msg/s",
  "p50 ms", "p99 ms", "max ms", "bench cpu s"];
const widths = header.map((h) => Math.max(h.length, 8));
const line = (cells) => cells.map((c, i) => pad(c, widths[i])).join("  ");

console.log(`parley-hub store benchmark: ${totalMessages} messages per run, hub ${process.env.PARLEY_HUB}, ` +
  `data in ${tmpdir()}, node ${process.version}`);
console.log(line(header));
for (const rooms of roomModes) {
  for (const publishers of publisherCounts) {
    if (rooms === "own" && publishers === 1 && roomModes.includes("shared")) continue; // same as shared
    for (const inFlight of inFlightCounts) {
      const r = await run({ publishers, inFlight, rooms });
      console.log(line([r.publishers, r.inFlight, r.rooms, r.acked, r.stored, r.seconds.toFixed(2),
        Math.round(r.rate), r.p50.toFixed(2), r.p99.toFixed(2), r.max.toFixed(2), r.clientCpu.toFixed(2)]));
      if (r.failures > 0) console.log(`  ${r.failures} new_msg were refused`);
      if (r.stored !== r.acked) console.log(`  stored ${r.stored} != acked ${r.acked}`);
    }
  }
}
