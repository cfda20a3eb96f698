// Identities for the interop tests and bots (docs/protocol.md, "Identity"): a user is an Ed25519
// key pair, the user_id is base64url(SHA-256(raw public key)[0..16]), and every connect is
// signed over "parley-connect-v1\n{Host}\n{ts}\n{user_id}" with Node's crypto.
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

let lastTs = 0;
// The signed connect params for `url` (ws://HOST:PORT/socket...): params with user_id (a user id
// made here, or a label, which gets identityOf(label)) gain key, ts and sig. Each call signs a
// later ts than the last, so two connects of one user never repeat a signature (replayed).
export function signedParams(url, params) {
  const identity = identities.get(params.user_id) ?? identityOf(params.user_id ?? "anonymous");
  lastTs = Math.max(Date.now(), lastTs + 1);
  const host = new URL(url).host.toLowerCase(); // what ws sends as Host: no default port
  const message = `parley-connect-v1\n${host}\n${lastTs}\n${identity.userId}`;
  return {
    ...params,
    user_id: identity.userId,
    key: identity.publicKey.toString("base64url"),
    ts: String(lastTs),
    sig: sign(null, Buffer.from(message), identity.privateKey).toString("base64url"),
  };
}

