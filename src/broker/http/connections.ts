// Limits on client connections, so clients without a key cannot use up the process's file
// descriptors: how long headers and a whole request may take, how many connections one client
// address and all clients may hold open, and how long and how often a kept-alive connection is
// reused. Connections past a cap are closed at once, before any byte is read.

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
  /** Open connections from one client address. */
  perAddress: number;
  /** Open connections in all. */
  total: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 1_000,
  perAddress: 256,
  total: 2_048,
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

/** Apply the connection caps to `server`; `refused` is told about every connection closed by a cap. */
export function capConnections(server: http.Server, l: ConnectionLimits, refused: (why: "per_address" | "total") => void): void {
  server.maxRequestsPerSocket = l.maxRequestsPerSocket;
  const byAddress = new Map<string, number>();
  let open = 0;
  server.on("connection", (socket: Socket) => {
    const addr = socket.remoteAddress ?? "";
    const mine = byAddress.get(addr) ?? 0;
    const why = mine >= l.perAddress ? "per_address" : open >= l.total ? "total" : undefined;
    if (why) {
      socket.destroy();
      refused(why);
      return;
    }
    byAddress.set(addr, mine + 1);
    open++;
    socket.once("close", () => {
      open--;
      const left = (byAddress.get(addr) ?? 1) - 1;
      if (left <= 0) byAddress.delete(addr);
      else byAddress.set(addr, left);
    });
  });
}
