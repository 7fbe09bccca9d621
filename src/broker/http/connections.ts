// Limits on client connections, so clients without a key cannot use up the process's file
// descriptors or its CPU: how long headers and a whole request may take, how many connections one
// client address and all clients may hold open, how fast one address and all addresses together
// may open new ones (connection-gate.ts), and how long and how often a kept-alive connection is
// reused. A connection past a cap is closed at once, before the HTTP server sets anything up for
// it or reads a byte, so a flood costs little more than accepting it. At the total cap an idle
// connection of the address holding the most gives way to a newcomer from an address holding
// fewer; connections that carried a valid key or have a request in progress are kept.

import type * as http from "http";
import type { Socket } from "net";
import { ConnectionGate, type Conn, type GateLimits, type RefusedWhy } from "./connection-gate";

export type { RefusedWhy };

export interface ConnectionLimits extends GateLimits {
  /** Time to receive a request's headers (ms). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (ms); 15 MB at about 128 KB/s. */
  requestTimeoutMs: number;
  /** Idle time before a kept-alive connection is closed (ms). */
  keepAliveTimeoutMs: number;
  /** Requests served on one connection before it is closed. */
  maxRequestsPerSocket: number;
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
  // Addresses that carried a valid key lately are not charged to this pace (connection-gate.ts), so
  // it holds back only new and keyless clients: a studio behind one address at its full pace and
  // as much again for everyone else.
  newTotalPerSecond: 256,
  newTotalBurst: 512,
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

/** The connection-gate record of each socket a capped server kept. */
const tracked = new WeakMap<Socket, { gate: ConnectionGate<Socket>; conn: Conn<Socket> }>();

/**
 * A request on `socket` has started: while it runs, its connection is making progress and is
 * not given way at the total cap.
 */
export function requestStarted(socket: Socket): void {
  const t = tracked.get(socket);
  if (t) t.gate.requestStarted(t.conn);
}

/** Whether a request on `socket` is being answered now (false for a socket no capped server kept). */
export function requestInProgress(socket: Socket): boolean {
  return (tracked.get(socket)?.conn.busy ?? 0) > 0;
}

/** A request on `socket` has ended; `keyed` when it carried a valid broker key. */
export function requestEnded(socket: Socket, keyed: boolean): void {
  const t = tracked.get(socket);
  if (t) t.gate.requestEnded(t.conn, keyed);
}

/**
 * Node answers a connection's last allowed request (`maxRequestsPerSocket`) with `Connection:
 * close` but then keeps the socket open until the keep-alive timeout runs out. An answer marked
 * as not kept alive is the last one in Node's eyes too: the socket is closed once it is sent.
 */
function closeAfterLastAnswer(res: http.ServerResponse): void {
  if ((res as { maxRequestsOnConnectionReached?: boolean }).maxRequestsOnConnectionReached) res.shouldKeepAlive = false;
}

/** The part of Node's listening TCP handle the caps use: the callback for each accepted connection. */
interface ListenHandle {
  onconnection?: (err: number, client?: { getpeername?(out: { address?: string }): number; close(): void }) => void;
}

/**
 * Apply the connection caps to `server`; `refused` is told about every connection closed by a
 * cap. `now` is the clock (ms) the pace of new connections is measured on.
 *
 * The check runs before the HTTP server's own connection handling (which it then calls for the
 * connections it keeps). Once the server listens, it runs on the accepted handle itself, as Node's
 * own `maxConnections` check does: a refused connection is closed before any socket object,
 * parser, timer or listener is made for it. Where that handle is not reachable it runs on the
 * socket, before anything else attached to the server sees it.
 */
export function capConnections(
  server: http.Server,
  l: ConnectionLimits,
  refused: (why: RefusedWhy) => void,
  now: () => number = () => performance.now(),
): ConnectionGate<Socket> {
  server.maxRequestsPerSocket = l.maxRequestsPerSocket;
  server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => closeAfterLastAnswer(res));
  const gate = new ConnectionGate<Socket>(l, now);
  /** The address admitted on the handle whose socket is being made now. */
  let admittedOnHandle: string | undefined;
  const admit = (address: string | undefined): string | undefined => {
    const key = addressKey(address ?? "");
    const a = gate.admit(key);
    if (!a.admitted) {
      refused(a.why);
      return undefined;
    }
    if (a.evict) {
      a.evict.socket.destroy();
      gate.remove(a.evict);
      refused("evicted");
    }
    return key;
  };
  server.once("listening", () => {
    const handle = (server as unknown as { _handle?: ListenHandle })._handle;
    const accept = handle?.onconnection;
    if (!handle || !accept) return;
    handle.onconnection = function (this: ListenHandle, err, client) {
      if (!err && client?.getpeername) {
        const peer: { address?: string } = {};
        client.getpeername(peer);
        const key = admit(peer.address);
        if (key === undefined) return client.close();
        admittedOnHandle = key;
      }
      try {
        accept.call(this, err, client);
      } finally {
        admittedOnHandle = undefined;
      }
    };
  });
  // The HTTP server's own connection handling, called only for the connections admitted.
  const serve = server.listeners("connection") as ((socket: Socket) => void)[];
  server.removeAllListeners("connection");
  server.on("connection", (socket: Socket) => {
    const key = admittedOnHandle ?? admit(socket.remoteAddress);
    admittedOnHandle = undefined;
    if (key === undefined) {
      socket.destroy();
      return;
    }
    const conn = gate.add(key, socket);
    tracked.set(socket, { gate, conn });
    socket.once("close", () => gate.remove(conn));
    for (const f of serve) f.call(server, socket);
  });
  return gate;
}
