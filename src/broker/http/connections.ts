// Limits on client connections, so clients without a key cannot use up the process's file
// descriptors or its CPU: how long headers and a whole request may take, how many connections one
// client address and all clients may hold open, how fast one address may open new ones, and how
// long and how often a kept-alive connection is reused. A connection past a cap is closed at once,
// before the HTTP server sets anything up for it or reads a byte, so a flood costs little more
// than accepting it.

import type * as http from "http";
import type { Socket } from "net";

export interface ConnectionLimits {
  /** Time to receive a request's headers (ms). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (ms); 15 MB at about 128 KB/s. */
  requestTimeoutMs: number;
  /** Idle time before a kept-alive connection is closed (ms). */
  keepAliveTimeoutMs: number;
  /** Requests served on one connection before it is closed. */
  maxRequestsPerSocket: number;
  /** Open connections from one client address (an IPv6 client: its /64, see addressKey). */
  perAddress: number;
  /** Open connections in all. */
  total: number;
  /** New connections one client address may open per second, on average. */
  newPerAddressPerSecond: number;
  /** New connections one client address may open at once above that average. */
  newPerAddressBurst: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 1_000,
  perAddress: 256,
  total: 2_048,
  newPerAddressPerSecond: 128,
  newPerAddressBurst: 256,
};

/** The options `http.createServer` takes for these limits. */
export function serverOptions(l: ConnectionLimits): http.ServerOptions {
  return {
    headersTimeout: l.headersTimeoutMs,
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: l.keepAliveTimeoutMs,
    // How often Node looks for requests past those timeouts.
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(l.headersTimeoutMs / 4))),
  };
}

export type RefusedWhy = "per_address" | "total" | "rate";

/**
 * The client address the per-address caps count by: an IPv4 address as it is (an IPv4-mapped
 * IPv6 one too), an IPv6 address by its /64 network, since one host is given a whole /64 and can
 * send from any address in it.
 */
export function addressKey(remote: string): string {
  const addr = remote.replace(/%.*$/, "").toLowerCase();
  if (!addr.includes(":")) return addr;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(addr);
  if (mapped) return mapped[1];
  const [head, tail] = addr.split("::", 2);
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  // A dotted IPv4 tail stands for two groups.
  const tailCount = tailGroups.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailCount)).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

/** One client address: its open connections, and its allowance of new ones (a token bucket). */
interface AddressState {
  open: number;
  tokens: number;
  /** When `tokens` was last brought up to date (ms on the caps' clock). */
  at: number;
}

/**
 * Apply the connection caps to `server`; `refused` is told about every connection closed by a
 * cap. `now` is the clock (ms) the pace of new connections is measured on.
 *
 * The check runs before the HTTP server's own connection handling (which it then calls for the
 * connections it keeps): a refused socket is destroyed before any parser, timer or listener is
 * made for it.
 */
export function capConnections(
  server: http.Server,
  l: ConnectionLimits,
  refused: (why: RefusedWhy) => void,
  now: () => number = () => performance.now(),
): void {
  server.maxRequestsPerSocket = l.maxRequestsPerSocket;
  const byAddress = new Map<string, AddressState>();
  // How long an empty allowance takes to fill (a second when pacing is off: Infinity / Infinity).
  const refillMs = (l.newPerAddressBurst / l.newPerAddressPerSecond) * 1000 || 1_000;
  let open = 0;
  let sweptAt = now();
  /** Forget addresses with nothing open and a full allowance (at most once per refill time). */
  const sweep = (t: number) => {
    if (t - sweptAt < refillMs) return;
    sweptAt = t;
    for (const [addr, a] of byAddress) if (a.open === 0 && t - a.at >= refillMs) byAddress.delete(addr);
  };
  const admit = (socket: Socket): boolean => {
    const t = now();
    sweep(t);
    const addr = addressKey(socket.remoteAddress ?? "");
    let a = byAddress.get(addr);
    if (!a) byAddress.set(addr, (a = { open: 0, tokens: l.newPerAddressBurst, at: t }));
    if (t > a.at) {
      a.tokens = Math.min(l.newPerAddressBurst, a.tokens + ((t - a.at) * l.newPerAddressPerSecond) / 1000);
      a.at = t;
    }
    const why: RefusedWhy | undefined = a.open >= l.perAddress ? "per_address" : open >= l.total ? "total" : a.tokens < 1 ? "rate" : undefined;
    if (why) {
      socket.destroy();
      refused(why);
      return false;
    }
    a.tokens -= 1;
    a.open++;
    open++;
    const state = a;
    socket.once("close", () => {
      open--;
      state.open--;
    });
    return true;
  };
  // The HTTP server's own connection handling, called only for the connections admitted.
  const serve = server.listeners("connection") as ((socket: Socket) => void)[];
  server.removeAllListeners("connection");
  server.on("connection", (socket: Socket) => {
    if (!admit(socket)) return;
    for (const f of serve) f.call(server, socket);
  });
}
