// With persistence on (appendonly, as production should run), the Redis store survives a crash of
// Redis itself: the queue, its fair order, claims, the rate window, the pause and usage come back.

import { createRedisStore, type RedisStore } from "../../src/broker/store/redis";
import { drain, newJob } from "./conformance";
import { startRedis, type TestRedis } from "./redis-server";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis({ persist: true });
});
afterAll(async () => {
  await redis?.stop();
});

const T0 = 1_764_300_000_000;

function connected(s: RedisStore): Promise<void> {
  return new Promise((resolve, reject) => {
    let n = 0;
    const check = () => (s.health().connected ? resolve() : ++n > 750 ? reject(new Error("no reconnect")) : setTimeout(check, 20));
    check();
  });
}

test("Redis killed (SIGKILL) and restarted: everything the store had accepted is still there", async () => {
  const s = createRedisStore({ url: redis.url, prefix: "dur:" });
  await s.open();
  for (const [id, owner] of [
    ["a1", "A"],
    ["a2", "A"],
    ["b1", "B"],
    ["b2", "B"],
    ["c1", "C"],
  ])
    await s.enqueue(newJob(id, owner), 10);
  await s.claimNext("inst-1", 30_000, T0); // a1
  await s.claimNext("inst-1", 30_000, T0); // b1
  await s.markSubmitted("b1", "inst-1", "up-b1", T0 + 1);
  await s.tryTakeRateToken(T0, { perMinute: 2, perDay: 100 });
  await s.tryTakeRateToken(T0, { perMinute: 2, perDay: 100 });
  await s.pauseUntil(T0 + 5_000);
  await s.recordUsage("A", "2026-11-28", { jobs: 2, images: 3 });
  const before = await Promise.all(["a1", "a2", "b1", "b2", "c1"].map((id) => s.getJob(id)));

  await redis.kill();
  await redis.restart();
  await connected(s);

  expect(await Promise.all(["a1", "a2", "b1", "b2", "c1"].map((id) => s.getJob(id)))).toEqual(before);
  expect((await s.expiredClaims(T0 + 30_000)).map((j) => j.id)).toEqual(["a1"]);
  expect(await s.pausedUntil()).toBe(T0 + 5_000);
  expect(await s.tryTakeRateToken(T0 + 6_000, { perMinute: 2, perDay: 100 })).toMatchObject({ ok: false, reason: "minute" });
  expect(await s.usage()).toEqual([{ day: "2026-11-28", owner: "A", jobs: 2, images: 3, failures: 0, uploads: 0 }]);
  expect(await s.queueStats()).toEqual({ depth: 3, submitting: 1, byOwner: { A: 1, B: 1, C: 1 } });
  // The fair order picks up where it was: C was never served, then A and B in the order they were.
  expect(await drain(s)).toEqual(["c1", "a2", "b2"]);
  await s.close();
});
