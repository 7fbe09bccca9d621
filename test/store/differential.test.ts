// The same random sequence of operations on the file store and the Redis store must give the
// same answer at every step: the Redis store is a second implementation of one behaviour.

import { createFileStore } from "../../src/broker/store/file-store";
import { createRedisStore } from "../../src/broker/store/redis";
import type { FinishPatch, RateLimits, Store } from "../../src/broker/store/store";
import { newJob, prng } from "./conformance";
import { startRedis, type TestRedis } from "./redis-server";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** Drop `undefined` fields and sort keys so both stores' records compare by content. */
function norm(v: unknown): unknown {
  if (v === undefined) return undefined;
  const sort = (x: unknown): unknown =>
    Array.isArray(x)
      ? x.map(sort)
      : x && typeof x === "object"
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sort((x as Record<string, unknown>)[k])]),
          )
        : x;
  return sort(JSON.parse(JSON.stringify(v)));
}

test.each([1, 2, 3])("file and Redis stores agree on 600 random operations (seed %i)", async (seed) => {
  const file = createFileStore();
  const red = createRedisStore({ url: redis.url, prefix: `diff${seed}:` });
  await file.open();
  await red.open();
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const owners = ["ann", "bob", "cy", "dee"];
  const claimants = ["i1", "i2", "i3"];
  const limits: RateLimits[] = [
    { perMinute: 4, perDay: 20 },
    { perMinute: 2, perDay: Infinity },
    { perMinute: Infinity, perDay: 5 },
  ];
  const ids: string[] = [];
  let now = 1_764_300_000_000;
  const log: string[] = [];
  try {
    for (let step = 0; step < 600; step++) {
      now += Math.floor(rnd() * 4000);
      const id = ids.length && rnd() < 0.9 ? pick(ids) : `ghost${step}`;
      const r = rnd();
      let op: (s: Store) => Promise<unknown>;
      let name: string;
      if (r < 0.2) {
        const jid = `j${ids.length}`;
        const owner = pick(owners);
        const cap = 2 + Math.floor(rnd() * 5);
        name = `enqueue ${jid} ${owner} cap ${cap}`;
        op = (s) => s.enqueue(newJob(jid, owner, now, { prompt: jid, n: step }), cap);
        ids.push(jid);
      } else if (r < 0.35) {
        const c = pick(claimants);
        const lease = pick([500, 5_000, 60_000]);
        name = `claimNext ${c} ${lease}`;
        op = (s) => s.claimNext(c, lease, now);
      } else if (r < 0.38) {
        const c = pick(claimants);
        name = `requeue ${id} ${c}`;
        op = (s) => s.requeue(id, c, now);
      } else if (r < 0.42) {
        const c = pick(claimants);
        name = `markSending ${id} ${c}`;
        op = (s) => s.markSending(id, c, now);
      } else if (r < 0.5) {
        const c = pick(claimants);
        name = `markSubmitted ${id} ${c}`;
        op = (s) => s.markSubmitted(id, c, `up-${id}`, now);
      } else if (r < 0.56) {
        const patch: FinishPatch = pick([
          { state: "succeeded", final: { jobId: `up-${id}`, status: "succeeded", result: { outputs: [{ seed: 1, image: { url: "https://o/1" } }] } } },
          { state: "failed", error: { status: 502, body: { error_code: "x" } } },
          { state: "cancelled" },
        ]);
        name = `finish ${id} ${patch.state}`;
        op = (s) => s.finish(id, patch, now);
      } else if (r < 0.62) {
        name = `requestCancel ${id}`;
        op = (s) => s.requestCancel(id, now);
      } else if (r < 0.64) {
        name = `takeOverExpired ${id}`;
        op = (s) => s.takeOverExpired(id, now, { status: 503, body: { error_code: "submit_interrupted" } });
      } else if (r < 0.66) {
        name = "expiredClaims";
        op = async (s) => (await s.expiredClaims(now)).sort((a, b) => a.seq - b.seq);
      } else if (r < 0.72) {
        name = `queuePosition ${id}`;
        op = (s) => s.queuePosition(id);
      } else if (r < 0.75) {
        name = "queueStats";
        op = (s) => s.queueStats();
      } else if (r < 0.84) {
        const l = pick(limits);
        name = `tryTakeRateToken ${JSON.stringify(l)}`;
        op = (s) => s.tryTakeRateToken(now, l);
      } else if (r < 0.86) {
        const until = now + Math.floor(rnd() * 20_000) - 5_000;
        name = `pauseUntil ${until}`;
        op = async (s) => {
          await s.pauseUntil(until);
          return s.pausedUntil();
        };
      } else if (r < 0.9) {
        name = `tryBeginStatusPoll ${id}`;
        op = async (s) => s.tryBeginStatusPoll(id, now, 1000);
      } else if (r < 0.93) {
        name = `snapshot ${id}`;
        op = async (s) => {
          await s.putStatusSnapshot(id, { status: { jobId: id, status: "running", progress: step % 100 }, fetchedAt: now });
          return s.getStatusSnapshot(id);
        };
      } else if (r < 0.95) {
        const before = now - Math.floor(rnd() * 60_000);
        name = `prune ${before}`;
        op = (s) => s.prune(before);
      } else if (r < 0.97) {
        name = `rateUsage`;
        op = (s) => s.rateUsage(now);
      } else if (r < 0.985) {
        name = `getJob ${id}`;
        op = (s) => s.getJob(id);
      } else {
        name = `getJobWithSnapshot ${id}`;
        op = async (s) => s.getJobWithSnapshot(id);
      }
      log.push(name);
      const a = norm(await op(file));
      const b = norm(await op(red));
      if (JSON.stringify(a) !== JSON.stringify(b)) {
        // Show the step and the last few operations before it.
        expect({ step, recent: log.slice(-8), redis: b }).toEqual({ step, recent: log.slice(-8), redis: a });
      }
    }
    // And the whole remaining state agrees.
    for (const id of ids) expect(norm(await red.getJob(id))).toEqual(norm(await file.getJob(id)));
    expect(await red.usage()).toEqual(await file.usage());
  } finally {
    await file.close();
    await red.close();
  }
});
