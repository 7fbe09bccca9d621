// Shared by the broker tests: start a broker on an ephemeral loopback port with its logs captured,
// make real HTTP requests, and — in every test file that imports this — check after all tests that
// no captured log line or response body contains a secret (client secret, IMS token, broker key).

import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { loadConfig } from "../../src/broker/config";
import { startBroker, type Broker, type BrokerOptions } from "../../src/broker/server";
import { startFakeFirefly, type FakeCall, type FakeFirefly } from "../fakes/firefly";

export const capture = { logs: [] as string[], responses: [] as string[], secrets: new Set<string>() };

export function registerSecret(secret: string | undefined): void {
  if (secret) capture.secrets.add(secret);
}

/** Every (text, secret) pair where a captured text contains a secret. */
export function findSecrets(texts: string[], secrets: Iterable<string>): { secret: string; text: string }[] {
  const hits: { secret: string; text: string }[] = [];
  const list = [...secrets];
  for (const text of texts) for (const s of list) if (text.includes(s)) hits.push({ secret: s, text });
  return hits;
}

afterAll(() => {
  const hits = findSecrets([...capture.logs, ...capture.responses], capture.secrets);
  if (hits.length) {
    const sample = hits.slice(0, 3).map((h) => `${h.secret.slice(0, 6)}… in ${h.text.slice(0, 200)}`);
    throw new Error(`secrets leaked into ${hits.length} captured log lines/responses:\n${sample.join("\n")}`);
  }
});

export function tmpDir(prefix = "infill-broker-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const KEY_A = "ifk_test_alice_0123456789abcdefghijklmnop";
export const KEY_B = "ifk_test_bob_0123456789abcdefghijklmnopqrs";
export const KEY_ADMIN = "ifk_test_admin_0123456789abcdefghijklmnop";

/** A keys file with alice, bob (stored hashed) and an admin. */
export function writeKeysFile(dir: string): string {
  const { createHash } = require("crypto") as typeof import("crypto");
  const file = path.join(dir, "keys.json");
  fs.writeFileSync(
    file,
    JSON.stringify({
      keys: [
        { name: "alice", key: KEY_A },
        { name: "bob", sha256: createHash("sha256").update(KEY_B).digest("hex") },
        { name: "admin", key: KEY_ADMIN, admin: true },
      ],
    }),
    { mode: 0o600 }, // owner-only, as the broker asks of a keys file holding plain keys
  );
  [KEY_A, KEY_B, KEY_ADMIN].forEach(registerSecret);
  return file;
}

export interface TestBroker extends Broker {
  dir: string;
  logs: string[];
}

export interface TestBrokerExtra extends Partial<BrokerOptions> {
  dir?: string;
  /**
   * The least time between two upstream status calls for one job (the broker's one a second by
   * default). Suites that only wait for fake Firefly jobs to end set 0, so each poll goes upstream
   * and a job ends after its polls instead of after seconds of waiting.
   */
  statusIntervalMs?: number;
}

export async function startTestBroker(env: Record<string, string>, { dir: dirOption, statusIntervalMs, ...extra }: TestBrokerExtra = {}): Promise<TestBroker> {
  const dir = dirOption ?? tmpDir();
  const keysFile = fs.existsSync(path.join(dir, "keys.json")) ? path.join(dir, "keys.json") : writeKeysFile(dir);
  const config = loadConfig(
    {
      INFILL_PORT: "0",
      INFILL_CONFIG_DIR: path.join(dir, "config"),
      INFILL_DATA_DIR: path.join(dir, "data"),
      INFILL_KEYS_FILE: keysFile,
      INFILL_RETRY_BASE_MS: "1",
      INFILL_PLAYGROUND_DIR: path.join(dir, "playground"),
      INFILL_UI_DIR: path.join(dir, "ui"),
      ...env,
    },
    { cwd: dir },
  );
  if (statusIntervalMs !== undefined) config.statusMinIntervalMs = statusIntervalMs;
  registerSecret(config.clientSecret);
  const logs: string[] = [];
  const broker = await startBroker({
    config,
    logSink: (line) => {
      logs.push(line);
      capture.logs.push(line);
    },
    ...extra,
  });
  return Object.assign(broker, { dir, logs });
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json: any;
}

export interface CallOptions {
  key?: string | null;
  headers?: Record<string, string>;
  body?: Buffer | string | object;
  agent?: http.Agent | false;
}

/** A real HTTP request; the reply body is captured for the secret check. */
export function call(base: string, method: string, pathAndQuery: string, o: CallOptions = {}): Promise<Reply> {
  const u = new URL(base);
  const headers: Record<string, string> = { ...o.headers };
  if (o.key) headers.authorization = `Bearer ${o.key}`;
  let body: Buffer | undefined;
  if (o.body !== undefined) {
    if (Buffer.isBuffer(o.body)) body = o.body;
    else if (typeof o.body === "string") body = Buffer.from(o.body);
    else {
      body = Buffer.from(JSON.stringify(o.body));
      headers["content-type"] ??= "application/json";
    }
    headers["content-length"] ??= String(body.length);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: pathAndQuery, headers, agent: o.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString("utf8");
        capture.responses.push(text);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Poll until `fn` returns a truthy value (bounded by attempts, not by a timed assertion). */
export async function until<T>(fn: () => T | Promise<T>, what: string, attempts = 400, everyMs = 10): Promise<NonNullable<T>> {
  for (let i = 0; i < attempts; i++) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export function fillBody(uploadId: string, maskId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { image: { source: { uploadId } }, mask: { source: { uploadId: maskId } }, ...extra };
}

/** A manual clock for pacing tests. */
export function manualClock(start = Date.UTC(2026, 10, 28, 12, 0, 0)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms), set: (ms: number) => (t = ms) };
}

/** A fake Firefly and a Firefly-mode broker in front of it (unpaced), started before the tests of the file or block that calls this and closed after them. */
export function useFireflyBroker(
  set: (rig: { ff: FakeFirefly; broker: TestBroker }) => void,
  env: Record<string, string> = {},
  extra: TestBrokerExtra = {},
): void {
  let ff: FakeFirefly | undefined;
  let broker: TestBroker | undefined;
  beforeAll(async () => {
    ff = await startFakeFirefly();
    broker = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1000", ...env }, extra);
    set({ ff, broker });
  });
  afterAll(async () => {
    ff?.tokens.forEach(registerSecret);
    await broker?.close();
    await ff?.close();
  });
}

/**
 * Cancel on a broker paced at one submit a minute: `submit(n)` sends the n-th job (1 and 2). The first is sent and then
 * cancelled upstream (`cancel_pending`, one upstream cancel, reads `cancelled`); the second, still queued, is cancelled
 * at once without going upstream. `what` names the jobs in timeout messages.
 */
export async function expectCancelSentAndQueued(
  b: TestBroker,
  ff: FakeFirefly,
  submit: (n: 1 | 2) => Promise<{ json: { jobId: string } }>,
  what: string,
): Promise<void> {
  const sent = await submit(1);
  const queued = await submit(2);
  await until(() => ff.calls.filter((c) => c.route === "submit").length === 1, `the first ${what} to be sent`);
  await until(async () => (await b.store.getJob(sent.json.jobId))?.state === "submitted", `the first ${what} to be submitted`);
  const c1 = await call(b.url, "PUT", `/v3/cancel/${sent.json.jobId}`, { key: KEY_A });
  expect(c1.json).toEqual({ jobId: sent.json.jobId, status: "cancel_pending" });
  expect(ff.calls.filter((c) => c.route === "cancel")).toHaveLength(1);
  const c2 = await call(b.url, "PUT", `/v3/cancel/${queued.json.jobId}`, { key: KEY_A });
  expect(c2.json).toEqual({ jobId: queued.json.jobId, status: "cancelled" });
  expect(ff.calls.filter((c) => c.route === "cancel")).toHaveLength(1);
  const s = await call(b.url, "GET", `/v3/status/${sent.json.jobId}`, { key: KEY_A });
  expect(s.json.status).toBe("cancelled");
}

/**
 * Pacing on a broker paced at one submit a minute (on a manual clock): `submit(n)` sends the n-th job (1 and 2), both
 * accepted with 202. The first is sent; the second waits as `queued` at position 1 until the clock passes the minute
 * and the dispatcher is kicked, then it is sent. Answers the second upstream submit, for the caller's own checks.
 */
export async function expectPacedBehindFirst(
  b: TestBroker,
  ff: FakeFirefly,
  clock: ReturnType<typeof manualClock>,
  submit: (n: 1 | 2) => Promise<{ status: number; json: { jobId: string } }>,
  what: string,
): Promise<FakeCall> {
  const submits = () => ff.calls.filter((c) => c.route === "submit");
  const first = await submit(1);
  const second = await submit(2);
  expect([first.status, second.status]).toEqual([202, 202]);
  await until(() => submits().length === 1, `the first ${what} to be sent`);
  expect((await call(b.url, "GET", `/v3/status/${second.json.jobId}`, { key: KEY_A })).json).toEqual({
    jobId: second.json.jobId,
    status: "queued",
    queuePosition: 1,
  });
  clock.advance(60_001);
  b.dispatcher.kick();
  await until(() => submits().length === 2, `the second ${what} to be sent`);
  return submits()[1];
}
