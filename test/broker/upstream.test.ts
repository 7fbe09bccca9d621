// The broker's upstream HTTP client on real loopback servers: the timeout covers the whole
// exchange (a body that stalls after its headers is ended too), bodies are capped, a cut body is a
// network error, and a refused connection is known never to have been sent.

import * as http from "http";
import type { AddressInfo } from "net";
import { fetchUpstream, NetworkError, streamUpstream } from "../../src/broker/http/upstream";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let server: http.Server;
let handler: Handler;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const get = (timeoutMs: number, maxResponseBytes?: number) => fetchUpstream({ method: "GET", url: new URL(`${base}/x`), timeoutMs, maxResponseBytes });

async function networkError(p: Promise<unknown>): Promise<NetworkError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NetworkError);
  return err as NetworkError;
}

test("a whole answer is read", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"a":');
    setTimeout(() => res.end("1}"), 20);
  };
  const r = await get(2000);
  expect(r.status).toBe(200);
  expect(r.body.toString()).toBe('{"a":1}');
  expect(r.headers["content-type"]).toBe("application/json");
});

test("a body that stalls after its headers times out within the one timeout", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"a":'); // and never ends
  };
  const err = await networkError(get(300));
  expect(err.code).toBe("TIMEOUT");
  expect(err.notSent).toBe(false);
});

test("a long timeout (kept by the shared sweep, not a timer) ends a stalled exchange too, about on time", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"a":'); // and never ends
  };
  const t0 = performance.now();
  const err = await networkError(get(2600));
  const took = performance.now() - t0;
  expect(err.code).toBe("TIMEOUT");
  expect(took).toBeGreaterThanOrEqual(2590);
  expect(took).toBeLessThan(2600 + 1500);
});

test("slow headers and a slow body together exceed the timeout (it is not restarted at the headers)", async () => {
  handler = (_req, res) => {
    setTimeout(() => {
      res.writeHead(200);
      res.write("a");
      setTimeout(() => res.end("b"), 250);
    }, 250);
  };
  expect((await networkError(get(400))).code).toBe("TIMEOUT");
});

test("a body larger than the cap is refused", async () => {
  handler = (_req, res) => {
    res.writeHead(200);
    res.end(Buffer.alloc(10_000, 1));
  };
  expect((await networkError(get(2000, 1000))).code).toBe("RESPONSE_TOO_LARGE");
});

test("a body cut short is a network error, not an answer", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "content-length": "100" });
    res.write("only part");
    setTimeout(() => res.socket?.destroy(), 20);
  };
  const err = await networkError(get(2000));
  expect(err.code).toBe("ECONNRESET");
  expect(err.notSent).toBe(false);
});

test("a refused connection is known not to have been sent", async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const err = await networkError(fetchUpstream({ method: "POST", url: new URL(`http://127.0.0.1:${port}/x`), body: "{}", timeoutMs: 2000, freshConnection: true }));
  expect(err.code).toBe("ECONNREFUSED");
  expect(err.notSent).toBe(true);
});

test("a streamed answer is handed over at its headers and read at the caller's pace", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "content-type": "image/png" });
    res.write("ab");
    setTimeout(() => res.end("cd"), 300);
  };
  const s = await streamUpstream({ method: "GET", url: new URL(`${base}/img`), timeoutMs: 150 });
  expect(s.status).toBe(200);
  const chunks: Buffer[] = [];
  for await (const c of s.stream) chunks.push(c as Buffer);
  expect(Buffer.concat(chunks).toString()).toBe("abcd");
});
