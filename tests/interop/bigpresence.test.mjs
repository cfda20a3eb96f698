// Issue 16, item 2: bounded presence (docs/protocol.md 6, "bounded presence"), seen through the stock phoenix.js
// Presence class. A hub whose topics list everyone up to 4 users and, above that, their 2 most
// recently active users; every client's presence.list() must equal what the hub lists, at every
// step, and presence_summary must count everyone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { startHub, connect, join, push, waitFor, newUserId, Presence } from "./lib.mjs";

let hub;
before(async () => {
  hub = await startHub({ args: ["--lobby-presence-limit", "4", "--room-presence-limit", "4", "--presence-listed", "2"] });
});
after(async () => { await hub.stop(); });

// One user on its own socket, with phoenix.js Presence on hub:lobby and room:general, and the
// last presence_summary of each.
async function person(t, nick) {
  const userId = newUserId(nick);
  const socket = await connect(hub.url, { user_id: userId, nick });
  t.after(() => socket.disconnect());
  const views = {};
  for (const [where, topic] of [["lobby", "hub:lobby"], ["room", "room:general"]]) {
    const channel = socket.channel(topic, {});
    const presence = new Presence(channel);
    const view = { channel, presence, summary: null, states: 0 };
    channel.on("presence_summary", (summary) => { view.summary = summary; });
    channel.on("presence_state", () => { view.states += 1; });
    views[where] = view;
  }
  return { nick, userId, socket, views, joined: false };
}

async function enter(p) {
  await join(p.views.lobby.channel);
  await join(p.views.room.channel);
  p.joined = true;
}

const keysOf = (presence) => presence.list((key) => key).sort();
const idsOf = (people) => people.map((p) => p.userId).sort();
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
// A summary as { users, listed, limited } whatever the order of its fields on the wire.
const summaryOf = (s) => (s === null ? null : { users: s.users, listed: s.listed, limited: s.limited });

// Every joined client's list of `where` equals `expected` (the users' ids).
async function everyoneSees(people, where, expected, what) {
  await waitFor(() => people.filter((p) => p.joined).every((p) => same(keysOf(p.views[where].presence), idsOf(expected))),
    5000, what);
}

async function everyoneCounts(people, where, summary, what) {
  await waitFor(() => people.filter((p) => p.joined).every((p) => same(summaryOf(p.views[where].summary), summary)), 5000,
    () => `${what}: ${JSON.stringify(people.filter((p) => p.joined).map((p) => p.views[where].summary))}`);
}

test("above the limit every client lists the same most recently active users, counts everyone, and lists all again below it", async (t) => {
  const people = [];
  for (const nick of ["ana", "bo", "cy", "di", "ed", "fay"]) people.push(await person(t, nick));
  const [ana, bo, cy, di, ed, fay] = people;

  // Four users: everyone listed, no summary (Phoenix as usual).
  for (const p of [ana, bo, cy, di]) await enter(p);
  await everyoneSees(people, "lobby", [ana, bo, cy, di], "4 users listed in the lobby");
  await everyoneSees(people, "room", [ana, bo, cy, di], "4 users listed in the room");
  assert.ok(people.every((p) => p.views.lobby.summary === null), "no summary while everyone is listed");

  // A fifth: the topics list their 2 most recent (joining counted while everyone was listed),
  // every client gets a fresh presence_state and a summary of 5.
  await enter(ed);
  await everyoneSees(people, "lobby", [di, ed], "lobby bounded to the 2 most recent");
  await everyoneSees(people, "room", [di, ed], "room bounded to the 2 most recent");
  const bounded5 = { users: 5, listed: 2, limited: true };
  await everyoneCounts(people, "lobby", bounded5, "lobby summary: 5 users");
  await everyoneCounts(people, "room", bounded5, "room summary: 5 users");
  assert.ok(ana.views.room.states >= 2, "a member present before the switch got a new presence_state");

  // Posting lists ana in the room and the lobby; di, the least recently active, makes room.
  assert.equal((await push(ana.views.room.channel, "new_msg", { body: "hello", client_id: randomUUID() })).status, "ok");
  await everyoneSees(people, "lobby", [ana, ed], "the poster is listed in the lobby");
  await everyoneSees(people, "room", [ana, ed], "the poster is listed in the room");

  // A sixth joins without doing anything: not listed, counted.
  await enter(fay);
  await everyoneCounts(people, "lobby", { users: 6, listed: 2, limited: true }, "lobby summary: 6 users");
  await everyoneSees(people, "lobby", [ana, ed], "a quiet joiner is not listed");
  assert.deepEqual(keysOf(fay.views.room.presence), idsOf([ana, ed]), "the joiner's state is the listed users");

  // Typing lists bo in the room; a status change lists cy in the lobby.
  assert.equal((await push(bo.views.room.channel, "typing", { typing: true })).status, "ok");
  await everyoneSees(people, "room", [ana, bo], "the typist is listed in the room");
  assert.equal((await push(cy.views.lobby.channel, "set_status", { status: "busy" })).status, "ok");
  await everyoneSees(people, "lobby", [bo, cy], "a status change lists its user in the lobby");
  const cyMeta = cy.views.lobby.presence.list((key, p) => (key === cy.userId ? p.metas[0] : null)).find(Boolean);
  assert.equal(cyMeta.status, "busy");

  // A listed user leaves: everyone drops it; an unlisted one leaves: nobody's list changes.
  ed.socket.disconnect(); ed.joined = false;
  di.socket.disconnect(); di.joined = false;
  await everyoneCounts(people, "lobby", { users: 4, listed: 2, limited: true }, "lobby summary: 4 users");
  await everyoneSees(people, "lobby", [bo, cy], "unlisted users left without a diff");
  // 3 users (80 % of the limit, rounded down): everyone listed again.
  fay.socket.disconnect(); fay.joined = false;
  await everyoneSees(people, "lobby", [ana, bo, cy], "lobby lists everyone again");
  await everyoneSees(people, "room", [ana, bo, cy], "room lists everyone again");
  await everyoneCounts(people, "lobby", { users: 3, listed: 3, limited: false }, "summary says: everyone listed");
});
