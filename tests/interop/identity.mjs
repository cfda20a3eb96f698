// Identities for the interop tests and bots (docs/protocol.md, "Identity"): a user is an Ed25519
// key pair, the user_id is base64url(SHA-256(raw public key)[0..16]), and every connect is
// signed over "parley-connect-v2\n{binding}\n{ts}\n{user_id}" with Node's crypto, where the
// binding names the hub the client verified: "fp:" + its certificate's fingerprint over wss://,
// "hub:" + its id over ws://.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from "node:crypto";

// Keys made here are remembered by user_id, so a test passes user ids around and
// signedParams() signs for them.
const identities = new Map(); // user_id -> { userId, publicKey (raw, 32 bytes), privateKey }
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

function remember(privateKey) {
  const publicKey = createPublicKey(privateKey).export({ format: "der", type: "spki" }).subarray(-32);
  const userId = createHash("sha256").update(publicKey).digest().subarray(0, 16).toString("base64url");
  const identity = { userId, publicKey, privateKey };
  identities.set(userId, identity);
  return identity;
}

// A fresh identity, as a new installation makes one.
export function newIdentity() {
  return remember(generateKeyPairSync("ed25519").privateKey);
}

// The same identity for the same label in every run (private key = SHA-256 of the label).
export function identityOf(label) {
  const seed = createHash("sha256").update(label).digest();
  return remember(createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" }));
}

// A new user: its user_id (the key is remembered for signing).
export function newUserId() {
  return newIdentity().userId;
}

// What a connect to the hub on each port is signed for, as the hubs this process started say
// (lib.mjs records it when a hub prints its listening line).
const bindings = new Map(); // port -> "fp:HEX" or "hub:ID"

export function setHubBinding(port, { fingerprint = null, hubId }) {
  bindings.set(Number(port), fingerprint ? `fp:${fingerprint}` : `hub:${hubId}`);
}

export function hubBindingOf(url) {
  const binding = bindings.get(Number(new URL(url).port));
  if (!binding) throw new Error(`no hub of this test listens at ${url}: nothing to sign a connect for`);
  return binding;
}

// What to sign for when this process did not start the hub (a bot): over wss:// the pinned
// fingerprint, over ws:// the hub id that GET /hub on the hub's port names.
export async function hubBindingFromServer(url, fingerprint = null) {
  if (fingerprint) return `fp:${fingerprint}`;
  const { host } = new URL(url);
  const response = await fetch(`http://${host}/hub`, { signal: AbortSignal.timeout(5000) });
  const info = await response.json();
  if (typeof info.hub_id !== "string" || info.tls !== false) throw new Error(`GET /hub said ${JSON.stringify(info)}`);
  return `hub:${info.hub_id}`;
}

// The bytes a connect signs (docs/protocol.md, "Identity").
export function connectMessage(binding, ts, userId) {
  return Buffer.from(`parley-connect-v2\n${binding}\n${ts}\n${userId}`);
}

let lastTs = 0;
// The signed connect params for `url` (ws(s)://HOST:PORT/socket...): params with user_id (a user
// id made here, or a label, which gets identityOf(label)) gain key, ts and sig, bound to the hub
// of this test on that port (or to `binding` when given). Each call signs a later ts than the
// last, so two connects of one user never repeat a signature (replayed).
export function signedParams(url, params, binding = hubBindingOf(url)) {
  const identity = identities.get(params.user_id) ?? identityOf(params.user_id ?? "anonymous");
  lastTs = Math.max(Date.now(), lastTs + 1);
  const message = connectMessage(binding, lastTs, identity.userId);
  return {
    ...params,
    user_id: identity.userId,
    key: identity.publicKey.toString("base64url"),
    ts: String(lastTs),
    sig: sign(null, message, identity.privateKey).toString("base64url"),
  };
}

