// A minimal round-robin HTTP load balancer for tests and benches: each request goes to the next
// backend that is up; a backend that refuses the connection is marked down and the request goes
// to the next one (safe: a refused connection never reached the broker). A GET whose connection
// broke is retried on the next backend too (reads are safe to repeat); a POST or PUT is not.
// Keeps the Host header, so brokers see the balancer's address, as behind a real load balancer.

import * as http from "http";
import type { AddressInfo } from "net";

export interface RoundRobinProxy {
  url: string;
  /** Requests answered per backend URL. */
  served: Map<string, number>;
  /** Stop sending to a backend (its health check failed). */
  markDown(backend: string): void;
  close(): Promise<void>;
}

export async function startRoundRobinProxy(backends: string[]): Promise<RoundRobinProxy> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const down = new Set<string>();
  const served = new Map<string, number>(backends.map((b) => [b, 0]));
  let next = 0;

  function pick(): string | undefined {
    for (let i = 0; i < backends.length; i++) {
      const b = backends[next++ % backends.length];
      if (!down.has(b)) return b;
    }
    return undefined;
  }

  function forward(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, tries: number): void {
    const backend = pick();
    if (!backend) {
      res.writeHead(502, { "content-type": "application/json" });
      res.end(JSON.stringify({ error_code: "no_backend", message: "No broker instance is up." }));
      return;
    }
    const u = new URL(backend);
    const up = http.request({ host: u.hostname, port: u.port, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
      served.set(backend, (served.get(backend) ?? 0) + 1);
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", (err: NodeJS.ErrnoException) => {
      const refused = err.code === "ECONNREFUSED";
      if (refused) down.add(backend);
      if ((refused || req.method === "GET" || req.method === "HEAD") && !res.headersSent && tries < backends.length * 2) {
        forward(req, body, res, tries + 1);
      } else if (!res.headersSent) {
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error_code: "bad_gateway", message: err.code ?? "error" }));
      } else res.destroy();
    });
    up.end(body);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => forward(req, Buffer.concat(chunks), res, 0));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    markDown: (b) => down.add(b),
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
