// The signed-connect check of docs/protocol.md ("Identity"), for the benchmark peers, so that
// they do the same work per connect as the hub: the user_id must be derived from the key, the
// ts within 300 s of this clock, the Ed25519 signature over "parley-connect-v2\nhub:{id}\n{ts}\n
// {user_id}" must verify (the peers serve plain ws://, so a connect is bound to the peer's own
// hub id, which GET /hub tells, as the hub's does), and an accepted signature is refused for the
// next 600 s.
import { createHash, createPublicKey, randomUUID, verify } from 'node:crypto';

export const hubId = randomUUID();

// Answers GET /hub as the hub does; true if the request was that.
export function answerHubInfo(req, res) {
  if (req.method !== 'GET' || new URL(req.url, 'http://x').pathname !== '/hub') return false;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify({ hub_id: hubId, name: 'benchmark peer', tls: false, fp: null, protocol: 2 }));
  return true;
}

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const seen = new Map(); // signature -> expiry (ms)

// Returns null if the connect is accepted, else the close reason.
export function checkConnect(params) {
  const key = Buffer.from(params.get('key') ?? '', 'base64url');
  const sig = Buffer.from(params.get('sig') ?? '', 'base64url');
  const userId = params.get('user_id') ?? '';
  const tsText = params.get('ts') ?? '';
  if (key.length !== 32 || sig.length !== 64 || !/^\d{1,16}$/.test(tsText)) return 'bad_params';
  if (createHash('sha256').update(key).digest().subarray(0, 16).toString('base64url') !== userId) return 'bad_params';
  const now = Date.now();
  const ts = Number(tsText);
  if (Math.abs(ts - now) > 300000) return `clock_skew:${now}`;
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, key]), format: 'der', type: 'spki' });
  const message = Buffer.from(`parley-connect-v2\nhub:${hubId}\n${tsText}\n${userId}`);
  if (!verify(null, message, publicKey, sig)) return 'unauthorized';
  const id = sig.toString('base64url');
  if ((seen.get(id) ?? 0) > now) return 'replayed';
  if (seen.size > 200000) for (const [k, expiry] of seen) if (expiry <= now) seen.delete(k);
  seen.set(id, now + 600000);
  return null;
}
