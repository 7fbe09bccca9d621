// The broker's upstream HTTP client on real loopback servers, with a fake clock (Jest's, installed
// before undici starts any timer, so undici's own coarse timers run on it too): slow headers, a
// stalled body and a trickling body all end as TIMEOUT at the times the client promises, bodies
// are capped, a cut body is a network error, and a refused connection is known never to have been
// sent. Times asserted are fake milliseconds; the real run takes a few milliseconds of I/O.
// undici's timers tick about every half second and fire up to a second late (UNDICI_SLACK_MS).

import * as http from "http";
import type { AddressInfo } from "net";
import { fetchUpstream, NetworkError, streamUpstream } from "../../src/broker/http/upstream";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let server: http.Server;
let handler: Handler;
let base: string;

beforeAll(async () => {
  jest.useFakeTimers({ doNotFake: ["nextTick", "setImmediate", "queueMicrotask"] });
  server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  jest.useRealTimers();
});

/** A real turn of the event loop (I/O happens; fake time stands still). */
const realTurn = () => new Promise<void>((r) => setImmediate(r));
/** Taken before the fake clock is installed: a real millisecond for loopback I/O on a loaded machine. */
const realSetTimeout = setTimeout;
const realMillisecond = () => new Promise<void>((r) => realSetTimeout(r, 1));

/**
 * Wait for `p` while moving the fake clock `stepMs` at a time, with real I/O (and a real
 * millisecond) between steps.
 * Returns how it settled and the fake milliseconds that took.
 */
async function settle<T>(p: Promise<T>, stepMs = 10): Promise<{ value?: T; error?: unknown; ms: number }> {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => ((done = true), (value = v)),
    (e: unknown) => ((done = true), (error = e)),
  );
  const t0 = performance.now();
  for (let steps = 0; ; steps++) {
    for (let i = 0; i < 5 && !done; i++) await realTurn();
    // Without a real pause a busy machine's loopback can lag behind the fake clock and a
    // request time out in fake time before its answer was delivered.
    if (!done) await realMillisecond();
    if (done) return { value, error, ms: performance.now() - t0 };
    if (steps > 20_000) throw new Error("never settled");
    jest.advanceTimersByTime(stepMs);
  }
}

/** How late undici's coarse timers may fire. */
const UNDICI_SLACK_MS = 1000;
/**
 * The clock's step where a time is checked only to within UNDICI_SLACK_MS: each step costs a real
 * millisecond, and a few seconds of fake time in 10 ms steps would cost hundreds.
 */
const COARSE_STEP_MS = 50;

async function timeout(p: Promise<unknown>, stepMs?: number): Promise<number> {
  const r = await settle(p, stepMs);
  expect(r.error).toBeInstanceOf(NetworkError);
  expect((r.error as NetworkError).code).toBe("TIMEOUT");
  expect((r.error as NetworkError).notSent).toBe(false);
  return r.ms;
}

const get = (timeoutMs: number, maxResponseBytes?: number) => fetchUpstream({ method: "GET", url: new URL(`${base}/x`), timeoutMs, maxResponseBytes });

async function networkError(p: Promise<unknown>): Promise<NetworkError> {
  const { error } = await settle(p);
  expect(error).toBeInstanceOf(NetworkError);
  return error as NetworkError;
}

test("a whole answer is read", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"a":');
    setTimeout(() => res.end("1}"), 20);
  };
  const r = (await settle(get(2000))).value!;
  expect(r.status).toBe(200);
  expect(r.body.toString()).toBe('{"a":1}');
  expect(r.headers["content-type"]).toBe("application/json");
});

test("headers that never come time out at the timeout", async () => {
  handler = () => undefined; // never answers
  const ms = await timeout(get(3000), COARSE_STEP_MS);
  expect(ms).toBeGreaterThanOrEqual(3000);
  expect(ms).toBeLessThanOrEqual(3000 + UNDICI_SLACK_MS);
});

test("a body that stalls right after its headers times out at the timeout", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"a":'); // and never ends
  };
  const ms = await timeout(get(3000), COARSE_STEP_MS);
  expect(ms).toBeGreaterThanOrEqual(3000);
  expect(ms).toBeLessThanOrEqual(3000 + UNDICI_SLACK_MS);
});

test("slow headers and a slow body together exceed the timeout (it is not restarted at the headers)", async () => {
  handler = (_req, res) => {
    setTimeout(() => {
      res.writeHead(200);
      res.write("a");
      setTimeout(() => res.end("b"), 250);
    }, 250);
  };
  const ms = await timeout(get(400));
  expect(ms).toBeGreaterThanOrEqual(400);
  expect(ms).toBeLessThanOrEqual(520);
});

test("a body that keeps trickling ends at the deadline, at its first byte after it", async () => {
  handler = (_req, res) => {
    res.writeHead(200);
    const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(".")), 100);
  };
  const ms = await timeout(get(1000));
  expect(ms).toBeGreaterThanOrEqual(1000);
  expect(ms).toBeLessThanOrEqual(1120);
});

test("a body that stops part way ends one timeout after its last byte", async () => {
  handler = (_req, res) => {
    res.writeHead(200);
    res.write("a");
    setTimeout(() => res.write("b"), 200); // then nothing
  };
  const ms = await timeout(get(2000), COARSE_STEP_MS);
  expect(ms).toBeGreaterThanOrEqual(2200);
  expect(ms).toBeLessThanOrEqual(2200 + UNDICI_SLACK_MS);
});

test("a request that waits for a free connection past its deadline ends unsent when it gets one", async () => {
  const held: http.ServerResponse[] = [];
  handler = (_req, res) => void held.push(res);
  // The shared pool has 64 connections per origin: fill them, then queue one more.
  const busy = Array.from({ length: 64 }, () => get(600_000).catch(() => undefined));
  await settle(
    (async () => {
      while (held.length < 64) await realTurn();
    })(),
  );
  const queued = get(1000);
  const waited = settle(
    (async () => {
      await new Promise((r) => setTimeout(r, 5000));
      for (const res of held) res.end("{}");
    })(),
    COARSE_STEP_MS,
  );
  await waited;
  const err = await networkError(queued);
  expect(err.code).toBe("TIMEOUT");
  expect(err.notSent).toBe(true);
  expect(held.length).toBe(64); // the queued request never reached the server
  await settle(Promise.all(busy));
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

test("a streamed body that goes silent is ended with an error after the timeout", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "content-type": "image/png" });
    res.write("ab"); // then nothing
  };
  const s = (await settle(streamUpstream({ method: "GET", url: new URL(`${base}/img`), timeoutMs: 2000 }))).value!;
  const drained = settle(
    (async () => {
      for await (const c of s.stream) void c;
    })(),
    COARSE_STEP_MS,
  );
  const r = await drained;
  expect(r.error).toBeDefined();
  expect(r.ms).toBeGreaterThanOrEqual(2000 - 10);
  expect(r.ms).toBeLessThanOrEqual(2000 + UNDICI_SLACK_MS);
});

test("a refused connection is known not to have been sent", async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const err = await networkError(
    fetchUpstream({ method: "POST", url: new URL(`http://127.0.0.1:${port}/x`), body: "{}", timeoutMs: 2000, freshConnection: true }),
  );
  expect(err.code).toBe("ECONNREFUSED");
  expect(err.notSent).toBe(true);
});

test("a streamed answer is handed over at its headers and read at the caller's pace", async () => {
  handler = (_req, res) => {
    res.writeHead(200, { "content-type": "image/png" });
    res.write("ab");
    setTimeout(() => res.end("cd"), 300);
  };
  const s = (await settle(streamUpstream({ method: "GET", url: new URL(`${base}/img`), timeoutMs: 1000 }))).value!;
  expect(s.status).toBe(200);
  const read = async () => {
    const chunks: Buffer[] = [];
    for await (const c of s.stream) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString();
  };
  expect((await settle(read())).value).toBe("abcd");
});
