// When Redis is unreachable, slow or gone, every store call fails with StoreUnavailableError (the
// broker answers 503 store_unavailable) and the store recovers by itself when Redis is back.
// Also: the environment factory picks the right store.

import { createFileStore } from "../../src/broker/store/file-store";
import { ConfigError } from "../../src/broker/config-error";
import { checkStoreEnv, createStoreFromEnv, describeStore, storeHealth } from "../../src/broker/store/from-env";
import { createRedisStore, isStoreUnavailable, RedisStore, StoreUnavailableError } from "../../src/broker/store/redis";
import { newJob } from "./conformance";
import { startRedis, type TestRedis } from "./redis-server";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** Wait (up to 15 s) until the store's connection is up (or down). */
function connection(store: RedisStore, up: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    let tries = 0;
    const check = () => {
      if (store.health().connected === up) return resolve();
      if (++tries > 750) return reject(new Error(`the connection never went ${up ? "up" : "down"}: ${JSON.stringify(store.health())}`));
      setTimeout(check, 20);
    };
    check();
  });
}

test("open() against nothing listening fails with StoreUnavailableError and no password in the message", async () => {
  const { port } = await startRedis().then(async (r) => {
    await r.stop();
    return r;
  });
  const s = createRedisStore({ url: `redis://user:hunter2-secret@127.0.0.1:${port}`, connectTimeoutMs: 1000 });
  const err = await s.open().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreUnavailableError);
  expect(isStoreUnavailable(err)).toBe(true);
  expect((err as StoreUnavailableError).code).toBe("store_unavailable");
  expect((err as StoreUnavailableError).status).toBe(503);
  expect(String((err as Error).message)).not.toContain("hunter2");
  expect(String((err as Error).message)).toContain(`127.0.0.1:${port}`);
  await expect(s.getJob("x")).rejects.toBeInstanceOf(StoreUnavailableError);
  await s.close();
});

test("Redis killed: calls fail fast with StoreUnavailableError; restarted: the store works again", async () => {
  const logs: Record<string, unknown>[] = [];
  const s = createRedisStore({ url: redis.url, prefix: "kill:", log: (e) => logs.push(e) });
  await s.open();
  expect(s.health()).toMatchObject({ kind: "redis", connected: true, status: "ready" });
  await s.enqueue(newJob("j1", "A"), 10);
  await redis.kill();
  try {
    // Whatever the store was doing, the answer is "unavailable", never a wrong answer.
    const calls = [
      s.enqueue(newJob("j2", "A"), 10),
      s.claimNext("x", 1000, Date.now()),
      s.getJob("j1"),
      s.tryTakeRateToken(Date.now(), { perMinute: 4, perDay: 100 }),
      s.queueStats(),
      s.usage(),
    ];
    for (const c of calls) await expect(c).rejects.toBeInstanceOf(StoreUnavailableError);
    await connection(s, false);
    expect(s.health()).toMatchObject({ connected: false, lastError: expect.any(String) });
    await expect(s.getJob("j1")).rejects.toBeInstanceOf(StoreUnavailableError);
  } finally {
    await redis.restart();
  }
  await connection(s, true);
  // The restarted test server kept nothing (no persistence); the store simply works again.
  expect((await s.enqueue(newJob("j3", "A"), 10)).ok).toBe(true);
  expect(await s.getJob("j3")).toMatchObject({ state: "queued" });
  expect(logs.some((e) => e.event === "store_redis_error")).toBe(true);
  expect(logs.some((e) => e.event === "store_redis_ready")).toBe(true);
  await s.close();
});

test("Redis frozen: a call times out with StoreUnavailableError instead of hanging", async () => {
  const s = createRedisStore({ url: redis.url, prefix: "frozen:", commandTimeoutMs: 300 });
  await s.open();
  redis.pause();
  try {
    await expect(s.tryTakeRateToken(Date.now(), { perMinute: 4, perDay: 100 })).rejects.toBeInstanceOf(StoreUnavailableError);
  } finally {
    redis.resume();
  }
  await connection(s, true);
  expect(await s.pausedUntil()).toBe(0);
  await s.close();
});

test("a closed store refuses calls", async () => {
  const s = createRedisStore({ url: redis.url, prefix: "closed:" });
  await s.open();
  await s.close();
  await expect(s.getJob("x")).rejects.toBeInstanceOf(StoreUnavailableError);
});

describe("createStoreFromEnv", () => {
  test("no INFILL_REDIS_URL: the file store, as before", async () => {
    const s = createStoreFromEnv({}, {});
    expect(s).not.toBeInstanceOf(RedisStore);
    expect(s.constructor).toBe(createFileStore().constructor);
    expect(storeHealth(s)).toEqual({ kind: "file" });
    expect(describeStore({}, "/tmp/x/journal.jsonl")).toBe("file /tmp/x/journal.jsonl");
    await s.open();
    expect((await s.enqueue(newJob("j", "A"), 1)).ok).toBe(true);
    await s.close();
  });

  test("INFILL_REDIS_URL: the Redis store; INFILL_REDIS_PREFIX separates brokers", async () => {
    const a = createStoreFromEnv({ INFILL_REDIS_URL: redis.url, INFILL_REDIS_PREFIX: "teamA:" });
    const b = createStoreFromEnv({ INFILL_REDIS_URL: redis.url, INFILL_REDIS_PREFIX: "teamB:" });
    const a2 = createStoreFromEnv({ INFILL_REDIS_URL: ` ${redis.url} `, INFILL_REDIS_PREFIX: "teamA:" });
    expect(a).toBeInstanceOf(RedisStore);
    await Promise.all([a.open(), b.open(), a2.open()]);
    await a.enqueue(newJob("j", "A"), 10);
    expect(await a2.getJob("j")).toMatchObject({ owner: "A" });
    expect(await b.getJob("j")).toBeUndefined();
    expect(storeHealth(a)).toMatchObject({ kind: "redis", connected: true, url: `${redis.url}` });
    await Promise.all([a.close(), b.close(), a2.close()]);
  });

  test("a bad URL stops start-up with one clear line, without the password", () => {
    expect(() => createStoreFromEnv({ INFILL_REDIS_URL: "localhost:6379" })).toThrow(/INFILL_REDIS_URL must start with redis:\/\/ or rediss:\/\//);
    expect(() => checkStoreEnv({ INFILL_REDIS_URL: "localhost:6379" })).toThrow(ConfigError);
    expect(() => checkStoreEnv({ INFILL_REDIS_URL: "redis://" })).toThrow(/no host/);
    expect(() => checkStoreEnv({ INFILL_REDIS_URL: "rediss://u:p@redis.internal:6380/1" })).not.toThrow();
    expect(() => checkStoreEnv({})).not.toThrow();
    expect(() => createStoreFromEnv({ INFILL_REDIS_URL: "not a url" })).toThrow(/INFILL_REDIS_URL is not a valid URL/);
    let msg = "";
    try {
      createStoreFromEnv({ INFILL_REDIS_URL: "http://u:s3cret-pass@h:1" });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toMatch(/INFILL_REDIS_URL/);
    expect(msg).not.toContain("s3cret");
    expect(describeStore({ INFILL_REDIS_URL: "redis://u:s3cret-pass@h:1/2" })).toBe("redis redis://h:1/2 (prefix infill:)");
  });
});
