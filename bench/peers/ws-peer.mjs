// Same-workload peer for bench/run.sh: Node `ws` speaking Phoenix Channels v2 shapes, minimally.
// join -> ok reply, presence_state to the joiner, presence_diff to the topic (Phoenix semantics,
// as the hub does); new_msg -> ok reply + one broadcast encoded once for all members; leave and
// disconnect -> presence_diff. Connects are signed and checked as the hub checks them
// (verify.mjs). No storage, no limits: an upper bound for a Node server.
// Usage: node ws-peer.mjs [--port 0]; prints "Listening on ws://127.0.0.1:PORT/socket".
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { answerHubInfo, checkConnect } from './verify.mjs';

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;

const topics = new Map(); // topic -> Map(ws -> meta)
let nextId = 1;
let nextRef = 1;

const encode = (frame) => Buffer.from(JSON.stringify(frame));
function broadcast(topic, event, payload) {
  const members = topics.get(topic);
  if (!members || members.size === 0) return;
  const data = encode([null, null, topic, event, payload]); // encoded once
  for (const ws of members.keys()) ws.send(data, { binary: false });
}
const metasOf = (meta) => ({ metas: [meta] });

function presenceState(topic) {
  const state = {};
  for (const [ws, meta] of topics.get(topic) ?? []) {
    (state[ws.userId] ??= { metas: [] }).metas.push(meta);
  }
  return state;
}

function leave(ws, topic) {
  const members = topics.get(topic);
  const meta = members?.get(ws);
  if (!meta) return;
  members.delete(ws);
  ws.joined.delete(topic);
  if (members.size === 0) topics.delete(topic);
  broadcast(topic, 'presence_diff', { joins: {}, leaves: { [ws.userId]: metasOf(meta) } });
}

function onMessage(ws, text) {
  let msg;
  try { msg = JSON.parse(text); } catch { ws.close(1007, 'malformed'); return; }
  if (!Array.isArray(msg) || msg.length !== 5) { ws.close(1007, 'malformed'); return; }
  const [joinRef, ref, topic, event, payload] = msg;
  const reply = (response = {}, status = 'ok') =>
    ws.send(encode([joinRef, ref, topic, 'phx_reply', { status, response }]), { binary: false });
  if (topic === 'phoenix' && event === 'heartbeat') return reply();
  if (event === 'phx_join') {
    if (ws.joined.has(topic)) leave(ws, topic);
    const meta = { nick: ws.nick, status: 'online', typing: false, device: 'bot',
                   online_at: Date.now(), phx_ref: String(nextRef++) };
    if (!topics.has(topic)) topics.set(topic, new Map());
    topics.get(topic).set(ws, meta);
    ws.joined.set(topic, joinRef);
    reply(topic.startsWith('room:') ? { room: { name: topic.slice(5) }, messages: [], has_more: false } : {});
    ws.send(encode([joinRef, null, topic, 'presence_state', presenceState(topic)]), { binary: false });
    broadcast(topic, 'presence_diff', { joins: { [ws.userId]: metasOf(meta) }, leaves: {} });
    return;
  }
  if (!ws.joined.has(topic)) return reply({ reason: 'unmatched topic' }, 'error');
  if (event === 'phx_leave') {
    leave(ws, topic);
    reply();
    ws.send(encode([joinRef, joinRef, topic, 'phx_close', {}]), { binary: false });
    return;
  }
  if (event === 'new_msg') {
    const body = payload && typeof payload.body === 'string' ? payload.body.trim() : '';
    if (!body || body.length > 4000) return reply({ reason: 'invalid_body' }, 'error');
    const message = { id: nextId++, room: topic.slice(5), user_id: ws.userId, nick: ws.nick, body,
                      ts: Date.now(), client_id: null, edited_ts: null, deleted: false };
    reply({ message });
    broadcast(topic, 'new_msg', message);
    return;
  }
  if (event === 'create_room') return reply({ room: { name: payload?.name } });
  reply({ reason: 'unknown_event' }, 'error');
}

const server = http.createServer((req, res) => {
  if (answerHubInfo(req, res)) return;
  res.writeHead(404);
  res.end();
});
const wss = new WebSocketServer({ server, path: '/socket/websocket', perMessageDeflate: false,
                                  clientTracking: false });
wss.on('connection', (ws, req) => {
  const query = new URL(req.url, 'http://x').searchParams;
  ws.userId = query.get('user_id') ?? '';
  ws.nick = query.get('nick') ?? '';
  ws.joined = new Map();
  if (!/^2\./.test(query.get('vsn') ?? '')) {
    ws.close(1008, 'bad_vsn');
    return;
  }
  const refused = checkConnect(query);
  if (refused) {
    ws.close(1008, refused);
    return;
  }
  ws.on('message', (data) => onMessage(ws, data.toString()));
  ws.on('close', () => { for (const topic of [...ws.joined.keys()]) leave(ws, topic); });
  ws.on('error', () => {});
});
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  console.log(`Listening on ws://127.0.0.1:${server.address().port}/socket`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
