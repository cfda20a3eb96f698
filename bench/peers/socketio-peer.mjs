// Same-workload peer for bench/run.sh: Socket.IO 4 with rooms, WebSocket transport only.
// join -> ack ok (no presence: Socket.IO has none); new_msg -> ack + io.to(room).emit, which
// encodes the packet once for the whole room (the sender included, as the hub does). Connects
// are signed and checked as the hub checks them (verify.mjs, in a handshake middleware).
// Usage: node socketio-peer.mjs [--port 0]; prints "Listening on ws://127.0.0.1:PORT/socket.io".
import http from 'node:http';
import { Server } from 'socket.io';
import { answerHubInfo, checkConnect } from './verify.mjs';

const portArg = process.argv.indexOf('--port');
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 0;
let nextId = 1;

// Socket.IO answers its own path and hands every other request to this listener (GET /hub).
const server = http.createServer((req, res) => {
  if (answerHubInfo(req, res)) return;
  res.writeHead(404);
  res.end();
});
const io = new Server(server, { transports: ['websocket'], serveClient: false,
                                perMessageDeflate: false, cors: { origin: false } });
io.use((socket, next) => {
  const refused = checkConnect(new URLSearchParams(socket.handshake.query));
  next(refused ? new Error(refused) : undefined);
});
io.on('connection', (socket) => {
  const ack = (fn, value) => { if (typeof fn === 'function') fn(value); };
  socket.on('join', (data, fn) => {
    if (!data || typeof data.topic !== 'string') return ack(fn, { status: 'error' });
    socket.join(data.topic);
    ack(fn, { status: 'ok' });
  });
  socket.on('leave', (data, fn) => {
    if (data && typeof data.topic === 'string') socket.leave(data.topic);
    ack(fn, { status: 'ok' });
  });
  socket.on('new_msg', (data, fn) => {
    const body = data && typeof data.body === 'string' ? data.body.trim() : '';
    if (!body || !socket.rooms.has(data.topic)) return ack(fn, { status: 'error' });
    const message = { id: nextId++, room: data.topic.slice(5), user_id: socket.id, body,
                      ts: Date.now() };
    ack(fn, { status: 'ok', message });
    io.to(data.topic).emit('new_msg', message);
  });
});
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  console.log(`Listening on ws://127.0.0.1:${server.address().port}/socket.io`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
