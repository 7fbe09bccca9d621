// A broker on Redis that loses Redis: it refuses work it could not track (503 store_unavailable,
// with retry-after), reports the lost connection on /health, and serves again once Redis is back.
// Start-up with Redis unreachable fails with one clear line, without the password.

import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, KEY_A, registerSecret, startTestBroker, until, type TestBroker } from "../broker/helpers";
import { startRedis, type TestRedis } from "../store/redis-server";

let redis: TestRedis;
let ff: FakeFirefly;
const brokers: TestBroker[] = [];

beforeAll(async () => {
  redis = await startRedis();
  ff = await startFakeFirefly();
});
afterAll(async () => {
  ff?.tokens.forEach(registerSecret);
  for (const b of brokers) await b.close().catch(() => undefined);
  await ff?.close();
  await redis?.stop();
});

test("Redis lost: 503 store_unavailable, /health says so; Redis back: jobs are accepted again", async () => {
  const b = await startTestBroker({ ...ff.env(), INFILL_REDIS_URL: redis.url, INFILL_REDIS_PREFIX: "loss:", INFILL_RATE_PER_MINUTE: "0" });
  brokers.push(b);
  const health = () => call(b.url, "GET", "/health");
  expect((await health()).json.store).toEqual({ kind: "redis", url: `${redis.url}`, connected: true, status: "ready" });
  const first = await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "before" } });
  expect(first.status).toBe(202);

  await redis.kill();
  try {
    await until(async () => (await health()).json.store.connected === false, "health to show the lost connection");
    const h = (await health()).json;
    expect(h.store).toMatchObject({ kind: "redis", connected: false, lastError: expect.any(String) });
    const r = await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "during" } });
    expect(r.status).toBe(503);
    expect(r.json).toMatchObject({ error_code: "store_unavailable", category: "service_unavailable" });
    expect(r.headers["retry-after"]).toBeDefined();
    // A job the broker cannot look up is "unavailable", never "unknown".
    const s = await call(b.url, "GET", `/v3/status/${first.json.jobId}`, { key: KEY_A });
    expect(s.status).toBe(503);
    expect(s.json.error_code).toBe("store_unavailable");
    const c = await call(b.url, "PUT", `/v3/cancel/${first.json.jobId}`, { key: KEY_A });
    expect(c.status).toBe(503);
  } finally {
    await redis.restart();
  }
  await until(async () => (await health()).json.store.connected === true, "the connection to come back", 750, 20);
  const again = await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "after" } });
  expect(again.status).toBe(202);
  await until(
    async () => !["queued", "pending"].includes((await call(b.url, "GET", `/v3/status/${again.json.jobId}`, { key: KEY_A })).json.status),
    "the job to go upstream",
  );
  // The job refused during the outage never went anywhere. (The test Redis keeps nothing across its
  // restart, so what was queued before is gone with it: production Redis needs persistence.)
  const prompts = ff.calls.filter((c) => c.route === "submit").map((c) => (c.body as { prompt: string }).prompt);
  expect(prompts.filter((p) => p === "after")).toHaveLength(1);
  expect(prompts).not.toContain("during");
});

test("start-up with Redis unreachable fails with one clear line and no password", async () => {
  const { port } = await startRedis().then(async (r) => {
    await r.stop();
    return r;
  });
  const err = await startTestBroker({ ...ff.env(), INFILL_REDIS_URL: `redis://:hunter2-pass@127.0.0.1:${port}` }).then(
    (b) => {
      brokers.push(b);
      return undefined;
    },
    (e: Error) => e,
  );
  expect(err).toBeDefined();
  expect(err!.message).toMatch(new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}`));
  expect(err!.message).not.toContain("hunter2");
  expect(err!.message.split("\n")).toHaveLength(1);
});
