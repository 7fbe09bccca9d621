// The Redis store against the Store conformance suite, on a real redis-server started here.
import { createRedisStore } from "../../src/broker/store/redis";
import type { Store } from "../../src/broker/store/store";
import { describeStoreConformance } from "./conformance";
import { startRedis, type TestRedis } from "./redis-server";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const prefixes = new WeakMap<Store, string>();
let n = 0;

async function openWith(prefix: string): Promise<Store> {
  const s = createRedisStore({ url: redis.url, prefix });
  await s.open();
  prefixes.set(s, prefix);
  return s;
}

describeStoreConformance("redis", {
  create: () => openWith(`t${n++}:`),
  async reopen(store) {
    await store.close();
    return openWith(prefixes.get(store)!);
  },
  sibling: (store) => openWith(prefixes.get(store)!),
});

test("three clients racing on one queue: every job claimed once, submitted once, finished once", async () => {
  const prefix = `race${n++}:`;
  const clients = await Promise.all([0, 1, 2].map(() => openWith(prefix)));
  const [a] = clients;
  const ids: string[] = [];
  for (let i = 0; i < 120; i++) {
    ids.push(`j${i}`);
    await a.enqueue({ id: `j${i}`, owner: `o${i % 4}`, endpoint: "fill", request: { prompt: `${i}` }, createdAt: 1 }, 1000);
  }
  const claimed: string[][] = [[], [], []];
  const finishes: boolean[] = [];
  await Promise.all(
    clients.map(async (s, k) => {
      for (;;) {
        const j = await s.claimNext(`c${k}`, 60_000, 2);
        if (!j) return;
        claimed[k].push(j.id);
        expect(await s.markSubmitted(j.id, `c${k}`, `up-${j.id}`, 3)).toBe(true);
        // Every client tries to finish every job it sees: exactly one wins each.
        const r = await Promise.all(clients.map((c) => c.finish(j.id, { state: "succeeded" }, 4)));
        finishes.push(...r);
      }
    }),
  );
  const all = claimed.flat();
  expect(all.sort()).toEqual([...ids].sort());
  expect(claimed.every((c) => c.length > 0)).toBe(true);
  expect(finishes.filter(Boolean)).toHaveLength(120);
  for (const id of ids) expect(await a.getJob(id)).toMatchObject({ state: "succeeded", submitAttempts: 1, providerJobId: `up-${id}` });
  expect(await a.queueStats()).toEqual({ depth: 0, submitting: 0, byOwner: {} });
  await Promise.all(clients.map((c) => c.close()));
});
