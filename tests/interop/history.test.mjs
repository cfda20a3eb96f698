// Issue "History and durability": join history (newest 50, has_more), after_id catch-up (cap
// 500), history paging, edit/delete by the author only, idempotent new_msg, and what survives a
// hub restart (rooms with passwords, message ids, client_ids).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startHub, connect, join, push, waitFor, newUserId, disconnectAll } from "./lib.mjs";

let hub;
before(async () => { hub = await startHub({ args: ["--max-rate", "0"] }); });
after(async () => { await hub.stop(); });

let roomCounter = 0;
// A fresh room per test, so tests do not see each other's messages.
async function newRoom(url, extra = {}) {
  roomCounter += 1;
  const name = `hist-${roomCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const socket = await connect(url);
  const lobby = socket.channel("hub:lobby", {});
  await join(lobby);
  const reply = await push(lobby, "create_room", { name, ...extra });
  assert.equal(reply.status, "ok", JSON.stringify(reply));
  await disconnectAll(socket);
  return name;
}

// Pushes `count` messages without waiting between them; resolves with the stored messages in
// the order they were sent.
async function sendMany(channel, count, prefix) {
  const replies = await Promise.all(Array.from({ length: count },
    (_, i) => push(channel, "new_msg", { body: `${prefix} ${i}` }, 20000)));
  for (const reply of replies) assert.equal(reply.status, "ok", JSON.stringify(reply));
  return replies.map((r) => r.response.message);
}

async function joinedChannel(url, topic, params = {}, socketParams = {}) {
  const socket = await connect(url, socketParams);
  const channel = socket.channel(topic, params);
  const reply = await join(channel);
  return { socket, channel, reply };
}

const ids = (messages) => messages.map((m) => m.id);

function assertIncreasing(list, what) {
  for (let i = 1; i < list.length; i++) assert.ok(list[i] > list[i - 1], `${what}: ${list[i - 1]} then ${list[i]}`);
}

function tempDataDir() {
  return mkdtempSync(path.join(tmpdir(), "parley-history-"));
}

test("join reply: the newest 50 oldest first, has_more when older exist", async () => {
  const room = await newRoom(hub.url);
  const sender = await joinedChannel(hub.url, `room:${room}`);
  assert.deepEqual(sender.reply.messages, []);
  assert.equal(sender.reply.has_more, false);
  const sent = await sendMany(sender.channel, 60, "m");
  assertIncreasing(ids(sent), "ids in send order");
  assert.deepEqual(sent.map((m) => m.body), Array.from({ length: 60 }, (_, i) => `m ${i}`));

  const reader = await joinedChannel(hub.url, `room:${room}`);
  assert.equal(reader.reply.room.name, room);
  assert.equal(reader.reply.messages.length, 50);
  assert.deepEqual(reader.reply.messages, sent.slice(10), "the newest 50, oldest first, as stored");
  assert.equal(reader.reply.has_more, true);
  await disconnectAll(sender.socket, reader.socket);
});

test("join reply: has_more is false when the room holds 50 or fewer", async () => {
  const room = await newRoom(hub.url);
  const sender = await joinedChannel(hub.url, `room:${room}`);
  const sent = await sendMany(sender.channel, 50, "fifty");
  const reader = await joinedChannel(hub.url, `room:${room}`);
  assert.deepEqual(ids(reader.reply.messages), ids(sent));
  assert.equal(reader.reply.has_more, false);
  await disconnectAll(sender.socket, reader.socket);
});

test("after_id catch-up: every message with a larger id, oldest first", async () => {
  const room = await newRoom(hub.url);
  const sender = await joinedChannel(hub.url, `room:${room}`);
  const sent = await sendMany(sender.channel, 60, "c");

  const cases = [
    [0, sent],
    [sent[9].id, sent.slice(10)],
    [sent[58].id, sent.slice(59)],
    [sent[59].id, []],
  ];
  for (const [afterId, expected] of cases) {
    const reader = await joinedChannel(hub.url, `room:${room}`, { after_id: afterId });
    assert.deepEqual(reader.reply.messages, expected, `after_id ${afterId}`);
    assert.equal(reader.reply.has_more, false, `after_id ${afterId}`);
    await disconnectAll(reader.socket);
  }
  await disconnectAll(sender.socket);
});

test("after_id catch-up caps at 500 with has_more when 520 were missed", async () => {
  const room = await newRoom(hub.url);
  const sender = await joinedChannel(hub.url, `room:${room}`);
  const [seen] = await sendMany(sender.channel, 1, "seen");
  const missed = await sendMany(sender.channel, 520, "missed");

  const first = await joinedChannel(hub.url, `room:${room}`, { after_id: seen.id });
  assert.equal(first.reply.messages.length, 500);
  assert.deepEqual(ids(first.reply.messages), ids(missed.slice(0, 500)), "the oldest 500 after after_id");
  assert.equal(first.reply.has_more, true);

  const rest = await joinedChannel(hub.url, `room:${room}`, { after_id: first.reply.messages.at(-1).id });
  assert.deepEqual(ids(rest.reply.messages), ids(missed.slice(500)));
  assert.equal(rest.reply.has_more, false);
  await disconnectAll(sender.socket, first.socket, rest.socket);
});

test("history pages walk back to the first message; has_more false at the end", async () => {
  const room = await newRoom(hub.url);
  const sender = await joinedChannel(hub.url, `room:${room}`);
  const sent = await sendMany(sender.channel, 60, "h");
  const reader = await joinedChannel(hub.url, `room:${room}`);
  const collected = [...reader.reply.messages];
  let hasMore = reader.reply.has_more;
  let pages = 0;
  while (hasMore) {
    const { status, response } = await push(reader.channel, "history", { before_id: collected[0].id, limit: 3 });
    assert.equal(status, "ok", JSON.stringify(response));
    assert.ok(response.messages.length >= 1 && response.messages.length <= 3, `page of ${response.messages.length}`);
    assertIncreasing(ids(response.messages), "page oldest first");
    assert.ok(response.messages.at(-1).id < collected[0].id, "strictly before before_id");
    collected.unshift(...response.messages);
    hasMore = response.has_more;
    pages += 1;
    assert.ok(pages <= 10, "paging terminates");
  }
  assert.equal(pages, 4, "10 older messages in pages of 3: 3+3+3+1");
  assert.deepEqual(collected, sent);

  // Without limit: up to 50; before the first message: nothing, has_more false.
  const page = await push(reader.channel, "history", { before_id: sent[59].id });
  assert.deepEqual(ids(page.response.messages), ids(sent.slice(9, 59)));
  assert.equal(page.response.has_more, true);
  const exact = await push(reader.channel, "history", { before_id: sent[10].id, limit: 10 });
  assert.deepEqual(ids(exact.response.messages), ids(sent.slice(0, 10)));
  assert.equal(exact.response.has_more, false, "exactly limit left: has_more false");
  const none = await push(reader.channel, "history", { before_id: sent[0].id, limit: 100 });
  assert.deepEqual(none.response, { messages: [], has_more: false });
  await disconnectAll(sender.socket, reader.socket);
});

test("history: a bad limit or before_id is invalid_payload", async () => {
  const { socket, channel } = await joinedChannel(hub.url, "room:general");
  const cases = [
    { before_id: 100, limit: 0 },
    { before_id: 100, limit: 101 },
    { before_id: 100, limit: "x" },
    { before_id: 100, limit: 2.5 },
    { limit: 10 },
    { before_id: "100" },
    { before_id: null, limit: 10 },
  ];
  for (const payload of cases) {
    const { status, response } = await push(channel, "history", payload);
    assert.equal(status, "error", JSON.stringify(payload));
    assert.equal(response.reason, "invalid_payload", JSON.stringify(payload));
  }
  for (const limit of [1, 100]) {
    assert.equal((await push(channel, "history", { before_id: 100, limit })).status, "ok", `limit ${limit}`);
  }
  await disconnectAll(socket);
});

test("edit_msg: the author gets ok and msg_edited is broadcast; others get forbidden", async () => {
  const room = await newRoom(hub.url);
  const author = await joinedChannel(hub.url, `room:${room}`);
  const other = await joinedChannel(hub.url, `room:${room}`);
  const edits = [];
  other.channel.on("msg_edited", (m) => edits.push(m));
  const [original] = await sendMany(author.channel, 1, "typo");

  const { status, response } = await push(author.channel, "edit_msg", { id: original.id, body: "  fixed  " });
  assert.equal(status, "ok", JSON.stringify(response));
  const edited = response.message;
  assert.equal(edited.id, original.id);
  assert.equal(edited.body, "fixed");
  assert.equal(edited.ts, original.ts, "ts stays the time it was accepted");
  assert.ok(Number.isInteger(edited.edited_ts) && edited.edited_ts >= original.ts, `edited_ts ${edited.edited_ts}`);
  assert.equal(edited.deleted, false);
  await waitFor(() => edits.length >= 1, 5000, "msg_edited");
  assert.deepEqual(edits[0], edited);

  const forbidden = await push(other.channel, "edit_msg", { id: original.id, body: "hijack" });
  assert.deepEqual([forbidden.status, forbidden.response.reason], ["error", "forbidden"]);
  const missing = await push(author.channel, "edit_msg", { id: original.id + 1_000_000, body: "x" });
  assert.deepEqual([missing.status, missing.response.reason], ["error", "not_found"]);
  const empty = await push(author.channel, "edit_msg", { id: original.id, body: "   " });
  assert.deepEqual([empty.status, empty.response.reason], ["error", "invalid_body"]);

  // A message of another room is not found through this room.
  const general = author.socket.channel("room:general", {});
  await join(general);
  const elsewhere = await push(general, "edit_msg", { id: original.id, body: "moved" });
  assert.deepEqual([elsewhere.status, elsewhere.response.reason], ["error", "not_found"]);

  // One more round trip: no further msg_edited came from the refused edits.
  assert.equal((await push(other.channel, "typing", { typing: false })).status, "ok");
  assert.equal(edits.length, 1);
  const reader = await joinedChannel(hub.url, `room:${room}`);
  assert.deepEqual(reader.reply.messages, [edited]);
  await disconnectAll(author.socket, other.socket, reader.socket);
});

test("delete_msg: ok, msg_deleted broadcast, then deleted with an empty body; edits are not_found", async () => {
  const room = await newRoom(hub.url);
  const author = await joinedChannel(hub.url, `room:${room}`);
  const other = await joinedChannel(hub.url, `room:${room}`);
  const deletions = [];
  other.channel.on("msg_deleted", (m) => deletions.push(m));
  const [keep, doomed] = await sendMany(author.channel, 2, "d");

  const forbidden = await push(other.channel, "delete_msg", { id: doomed.id });
  assert.deepEqual([forbidden.status, forbidden.response.reason], ["error", "forbidden"]);
  const missing = await push(author.channel, "delete_msg", { id: doomed.id + 1_000_000 });
  assert.deepEqual([missing.status, missing.response.reason], ["error", "not_found"]);

  const { status, response } = await push(author.channel, "delete_msg", { id: doomed.id });
  assert.equal(status, "ok", JSON.stringify(response));
  await waitFor(() => deletions.length >= 1, 5000, "msg_deleted");
  assert.deepEqual(deletions[0], { id: doomed.id });

  const edit = await push(author.channel, "edit_msg", { id: doomed.id, body: "resurrect" });
  assert.deepEqual([edit.status, edit.response.reason], ["error", "not_found"]);

  const page = await push(author.channel, "history", { before_id: doomed.id + 1, limit: 10 });
  assert.equal(page.status, "ok");
  assert.deepEqual(ids(page.response.messages), [keep.id, doomed.id], "a deleted message keeps its id");
  const gone = page.response.messages[1];
  assert.equal(gone.deleted, true);
  assert.equal(gone.body, "");
  assert.deepEqual(page.response.messages[0], keep);

  const reader = await joinedChannel(hub.url, `room:${room}`);
  assert.equal(reader.reply.messages[1].deleted, true);
  assert.equal(reader.reply.messages[1].body, "");
  assert.equal((await push(other.channel, "typing", { typing: false })).status, "ok");
  assert.equal(deletions.length, 1);
  await disconnectAll(author.socket, other.socket, reader.socket);
});

test("new_msg is idempotent on (user_id, client_id): same message back, stored and broadcast once", async () => {
  const room = await newRoom(hub.url);
  const userId = newUserId("idem");
  const author = await joinedChannel(hub.url, `room:${room}`, {}, { user_id: userId, nick: "idem" });
  const watcher = await joinedChannel(hub.url, `room:${room}`);
  const broadcasts = [];
  watcher.channel.on("new_msg", (m) => broadcasts.push(m));

  const clientId = `cid_${Math.random().toString(36).slice(2, 12)}`;
  const first = await push(author.channel, "new_msg", { body: "once", client_id: clientId });
  assert.equal(first.status, "ok");
  const again = await push(author.channel, "new_msg", { body: "once", client_id: clientId });
  assert.equal(again.status, "ok");
  assert.deepEqual(again.response.message, first.response.message, "the original message comes back");

  // The same user on another connection (a reconnect), sending twice back to back.
  const reconnected = await joinedChannel(hub.url, `room:${room}`, {}, { user_id: userId, nick: "idem" });
  const [r1, r2] = await Promise.all([
    push(reconnected.channel, "new_msg", { body: "once", client_id: clientId }),
    push(reconnected.channel, "new_msg", { body: "once", client_id: clientId }),
  ]);
  assert.equal(r1.response.message.id, first.response.message.id);
  assert.equal(r2.response.message.id, first.response.message.id);

  // Pipelined within one batch: a new client_id sent twice before the first reply.
  const fresh = `cid_${Math.random().toString(36).slice(2, 12)}`;
  const [p1, p2] = await Promise.all([
    push(author.channel, "new_msg", { body: "twice", client_id: fresh }),
    push(author.channel, "new_msg", { body: "twice", client_id: fresh }),
  ]);
  assert.equal(p1.status, "ok");
  assert.deepEqual(p2.response.message, p1.response.message);

  // The same client_id from another user is a different message.
  const stranger = await push(watcher.channel, "new_msg", { body: "mine", client_id: clientId });
  assert.equal(stranger.status, "ok");
  assert.notEqual(stranger.response.message.id, first.response.message.id);

  await waitFor(() => broadcasts.length >= 3, 5000, "broadcasts");
  // A further round trip, so that any duplicate broadcast would have arrived.
  assert.equal((await push(watcher.channel, "typing", { typing: false })).status, "ok");
  assert.equal((await push(author.channel, "typing", { typing: false })).status, "ok");
  assert.equal(broadcasts.filter((m) => m.id === first.response.message.id).length, 1);
  assert.equal(broadcasts.filter((m) => m.id === p1.response.message.id).length, 1);
  assert.equal(broadcasts.length, 3);

  const reader = await joinedChannel(hub.url, `room:${room}`);
  assert.deepEqual(ids(reader.reply.messages),
    [first.response.message.id, p1.response.message.id, stranger.response.message.id]);
  await disconnectAll(author.socket, watcher.socket, reconnected.socket, reader.socket);
});

test("a room with a password and its messages survive a restart; ids continue", async () => {
  const dataDir = tempDataDir();
  let own = await startHub({ dataDir, args: ["--max-rate", "0"] });
  try {
    const room = await newRoom(own.url, { title: "Vault", password: "s3cret" });
    const author = await joinedChannel(own.url, `room:${room}`, { password: "s3cret" });
    const before = await sendMany(author.channel, 5, "kept");
    const general = await joinedChannel(own.url, "room:general");
    const [inGeneral] = await sendMany(general.channel, 1, "general");
    await disconnectAll(author.socket, general.socket);
    await own.stop();
    own = await startHub({ dataDir, args: ["--max-rate", "0"] });

    const socket = await connect(own.url);
    const lobby = socket.channel("hub:lobby", {});
    const info = await join(lobby);
    const listed = info.rooms.find((r) => r.name === room);
    assert.ok(listed, "the room is listed after the restart");
    assert.equal(listed.locked, true);
    assert.equal(listed.title, "Vault");

    for (const params of [{}, { password: "wrong" }]) {
      const channel = socket.channel(`room:${room}`, params);
      await assert.rejects(join(channel), (err) => err.reply?.reason === "unauthorized", JSON.stringify(params));
      channel.leave();
    }
    const channel = socket.channel(`room:${room}`, { password: "s3cret" });
    const reply = await join(channel);
    assert.deepEqual(reply.messages, before);
    assert.equal(reply.room.locked, true);

    const after = await sendMany(channel, 2, "new");
    const oldMax = Math.max(...ids(before), inGeneral.id);
    assert.ok(after[0].id > oldMax, `new id ${after[0].id} > old ${oldMax}`);
    assertIncreasing(ids(after), "new ids");
    await disconnectAll(socket);
  } finally {
    await own.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("idempotency survives a restart: the resend gets the original id, stored once", async () => {
  const dataDir = tempDataDir();
  let own = await startHub({ dataDir, args: ["--max-rate", "0"] });
  try {
    const room = await newRoom(own.url);
    const userId = newUserId("durable");
    const clientId = `cid_${Math.random().toString(36).slice(2, 12)}`;
    const author = await joinedChannel(own.url, `room:${room}`, {}, { user_id: userId, nick: "d" });
    const original = (await push(author.channel, "new_msg", { body: "before restart", client_id: clientId })).response.message;
    await disconnectAll(author.socket);
    await own.stop();
    own = await startHub({ dataDir, args: ["--max-rate", "0"] });

    const watcher = await joinedChannel(own.url, `room:${room}`);
    const broadcasts = [];
    watcher.channel.on("new_msg", (m) => broadcasts.push(m));
    const again = await joinedChannel(own.url, `room:${room}`, {}, { user_id: userId, nick: "d" });
    const resent = await push(again.channel, "new_msg", { body: "before restart", client_id: clientId });
    assert.equal(resent.status, "ok");
    assert.deepEqual(resent.response.message, original);
    const next = await push(again.channel, "new_msg", { body: "after restart", client_id: `${clientId}_2` });
    assert.ok(next.response.message.id > original.id);
    await waitFor(() => broadcasts.length >= 1, 5000, "broadcast of the new message");
    assert.equal((await push(watcher.channel, "typing", { typing: false })).status, "ok");
    assert.deepEqual(ids(broadcasts), [next.response.message.id], "no broadcast for the resend");

    const reader = await joinedChannel(own.url, `room:${room}`, { after_id: 0 });
    assert.deepEqual(ids(reader.reply.messages), [original.id, next.response.message.id]);
    await disconnectAll(watcher.socket, again.socket, reader.socket);
  } finally {
    await own.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
