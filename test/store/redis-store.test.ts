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
