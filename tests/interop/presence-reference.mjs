// Reference run of phoenix.js Presence for the differential test of the C++ PresenceSync
// (tests/unit/tst_presencedifferential.cpp). Reads scenarios (JSON) on stdin, adds seeded random
// ones, feeds every step to the stock Presence class through a stand-in channel, and prints per
// scenario the steps, the callback sequence and the final list() as one JSON array.
// A step is {"join_ref": "N"} (the channel (re)joined), {"state": {...}} or {"diff": {...}}.
import { Presence } from "phoenix";

const clone = (value) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));
// Keys sorted at every level, as the hub writes them (QJsonObject), so both sides see the same
// wire order; JavaScript then orders integer-like keys first by itself.
const canon = (value) => Array.isArray(value) ? value.map(canon)
  : value && typeof value === "object"
    ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canon(value[k])])) : value;

function run(steps) {
  const handlers = {};
  let joinRef = null;
  const channel = { on: (event, callback) => { handlers[event] = callback; }, joinRef: () => joinRef };
  const presence = new Presence(channel);
  const events = [];
  presence.onJoin((key, current, joined) => events.push(["join", key, clone(current) ?? {}, clone(joined)]));
  presence.onLeave((key, current, left) => events.push(["leave", key, clone(current), clone(left)]));
  presence.onSync(() => events.push(["sync", presence.list().map((p) => clone(p))]));
  for (const step of steps) {
    if ("join_ref" in step) joinRef = step.join_ref;
    else if ("state" in step) handlers.presence_state(clone(step.state));
    else if ("diff" in step) handlers.presence_diff(clone(step.diff));
  }
  return { events, list: presence.list((key, p) => ({ key, presence: clone(p) })) };
}

// Seeded random scenarios: keys that JavaScript orders specially ("42", "7"), several devices,
// updates with phx_ref_prev, diffs before the state, rejoins with a fresh state.
function mulberry32(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function randomScenario(seed) {
  const rnd = mulberry32(seed);
  const pick = (list) => list[Math.floor(rnd() * list.length)];
  const keys = ["ana", "bob", "42", "7", "zoe"];
  let serial = 0;
  const live = new Map(); // key -> metas on the "server"
  const meta = (extra = {}) => ({ phx_ref: `r${seed}_${++serial}`, status: pick(["online", "away", "busy"]), ...extra });
  const stateOf = () => Object.fromEntries([...live].map(([k, metas]) => [k, { metas: clone(metas) }]));
  const steps = [];
  let joinRef = 1;
  steps.push({ join_ref: String(joinRef) });
  const pendingDiffs = [];
  const emitDiff = (diff) => (steps.some((s) => "state" in s) || rnd() < 0.5 ? steps.push({ diff }) : pendingDiffs.push(diff));
  for (let i = 0; i < 40; i++) {
    const roll = rnd();
    const key = pick(keys);
    const metas = live.get(key) ?? [];
    if (roll < 0.4) {
      const m = meta();
      live.set(key, [...metas, m]);
      emitDiff({ joins: { [key]: { metas: [m] } }, leaves: {} });
    } else if (roll < 0.65 && metas.length) {
      const gone = pick(metas);
      const rest = metas.filter((m) => m !== gone);
      rest.length ? live.set(key, rest) : live.delete(key);
      emitDiff({ joins: {}, leaves: { [key]: { metas: [gone] } } });
    } else if (roll < 0.85 && metas.length) {
      const old = pick(metas);
      const updated = meta({ phx_ref_prev: old.phx_ref, typing: rnd() < 0.5 });
      live.set(key, metas.map((m) => (m === old ? updated : m)));
      emitDiff({ joins: { [key]: { metas: [updated] } }, leaves: { [key]: { metas: [old] } } });
    } else if (roll < 0.93) {
      steps.push(...pendingDiffs.splice(0).map((diff) => ({ diff })));
      steps.push({ state: stateOf() });
    } else {
      joinRef += 1; // a rejoin: diffs are held until the new state
      steps.push({ join_ref: String(joinRef) });
      if (rnd() < 0.5) steps.push({ diff: { joins: {}, leaves: {} } });
      steps.push({ state: stateOf() });
    }
  }
  steps.push({ state: stateOf() });
  return { name: `random seed ${seed}`, steps };
}

let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const scenarios = JSON.parse(input || "[]");
  for (let seed = 1; seed <= 25; seed++) scenarios.push(randomScenario(seed));
  const out = scenarios.map((s) => {
    const steps = canon(s.steps);
    return { name: s.name, steps, ...run(steps) };
  });
  process.stdout.write(JSON.stringify(out));
});
