// Trust on first use for Node clients of a wss:// hub (docs/protocol.md, section 1.2): a ws
// transport class for phoenix.js that connects only to the certificate with a known SHA-256
// fingerprint. The certificate is fetched once with a TLS handshake that sends nothing, checked
// against the fingerprint, and then given to ws as the only authority, with checkServerIdentity
// comparing the fingerprint again on every connect.
import tls from "node:tls";
import { createHash } from "node:crypto";
import { WebSocket } from "ws";

const fingerprintOf = (der) => createHash("sha256").update(der).digest("hex");

function toPem(der) {
  const lines = der.toString("base64").match(/.{1,64}/g).join("\n");
  return `-----BEGIN CERTIFICATE-----\n${lines}\n-----END CERTIFICATE-----\n`;
}

// Resolves to the PEM of the certificate the hub at `url` presents, if its fingerprint is
// `fingerprint`; rejects otherwise (or after 5 s).
export function fetchPinnedCertificate(url, fingerprint) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false });
    const timer = setTimeout(() => { socket.destroy(); reject(new Error("no TLS handshake in 5 s")); }, 5000);
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const der = socket.getPeerCertificate().raw;
      socket.destroy();
      const presented = fingerprintOf(der);
      if (presented !== fingerprint) reject(new Error(`the hub presented ${presented}, not ${fingerprint}`));
      else resolve(toPem(der));
    });
    socket.once("error", (error) => { clearTimeout(timer); reject(error); });
  });
}

// A WebSocket class for phoenix.js's `transport` option that trusts exactly these certificates
// and, among them, only the one with `fingerprint`.
export function pinnedTransport(fingerprint, certificates, seen = []) {
  return class PinnedWebSocket extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, {
        ca: certificates,
        checkServerIdentity: (_host, certificate) => {
          const presented = fingerprintOf(certificate.raw);
          seen.push(presented);
          return presented === fingerprint ? undefined : new Error(`certificate ${presented} is not the pinned one`);
        },
      });
    }
  };
}
