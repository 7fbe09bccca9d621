// Admin overview bench: what one read of the overview (what the /admin page asks every 2 s) costs
// the store, against the reads of GET /v1/quota (which every panel asks) as the baseline, on the
// file store (in memory) and on Redis, with two days of finished jobs kept (a tenth failed), jobs
// queued across owners, some submitted, and a full rolling day of submits.
//
//   npx ts-node --transpile-only --project bench/tsconfig.json bench/broker/admin-overview.ts [--finished 18000] [--reads 200]

import { createFileStore } from "../../src/broker/store/file-store";
import { createRedisStore } from "../../src/broker/store/redis";
import type { Store } from "../../src/broker/store/store";
import { readOverview } from "../../src/broker/observability/overview";
import { startRedis } from "../../test/store/redis-server";
import { arg, quantile } from "../support/procs";

const FINISHED = arg("finished", 18_000);
const READS = arg("reads", 200);
const QUEUED = 200;
const SUBMITTED = 20;
const OWNERS = 10;
const MINUTE_MS = 60_000;
/** The submits spread over the rolling day, as a busy day leaves them. */
const SPREAD_MS = 23 * 3600_000;

async function fill(store: Store, now: number): Promise<void> {
  const at = (i: number) => now - SPREAD_MS + Math.floor((i * SPREAD_MS) / (FINISHED + SUBMITTED));
  for (let i = 0; i < FINISHED + QUEUED + SUBMITTED; i++) {
    const owner = `user${i % OWNERS}`;
    await store.enqueue({ id: `job-${i}`, owner, endpoint: "fill", request: { prompt: `bench ${i}` }, createdAt: at(i) }, 1e9);
  }
  for (let i = 0; i < FINISHED + SUBMITTED; i++) {
    const job = (await store.claimNext("bench", 60_000, at(i)))!;
    await store.tryTakeRateToken(at(i), { perMinute: 1e9, perDay: 1e9 });
    await store.markSubmitted(job.id, "bench", `up-${i}`, at(i));
    if (i < FINISHED) {
      const failed = i % 10 === 0;
      await store.finish(
        job.id,
        failed ? { state: "failed", error: { status: 400, body: { error_code: "validation_error", category: "invalid_input" } } } : { state: "succeeded" },
        at(i),
      );
    }
  }
  for (let o = 0; o < OWNERS; o++) await store.recordUsage(`user${o}`, new Date(now).toISOString().slice(0, 10), { jobs: 100, images: 300 });
  await store.heartbeat({ id: "bench", version: "0", mode: "firefly", status: "ok", startedAt: now, beatAt: now });
}

async function timed(read: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 10; i++) await read();
  const ms: number[] = [];
  for (let i = 0; i < READS; i++) {
    const t0 = performance.now();
    await read();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b);
}

async function measure(name: string, store: Store): Promise<void> {
  const now = Date.now();
  const t0 = performance.now();
  await fill(store, now);
  const filled = ((performance.now() - t0) / 1000).toFixed(1);
  const config = { mode: "firefly" as const, ratePerMinute: 4, ratePerDay: 9000, rateMinuteMs: MINUTE_MS };
  const quota = await timed(() => Promise.all([store.rateUsage(now), store.takesSince(now - MINUTE_MS), store.queueStats()]));
  const overview = await timed(() =>
    readOverview(store, { now, config, version: "0", selfId: "bench", store: { kind: "file" }, upstream: [] }).then((f) => {
      if (f.failures.length !== 20 || f.stats.depth !== QUEUED) throw new Error("unexpected overview");
    }),
  );
  const p50 = (ms: number[]) => quantile(ms, 0.5);
  const p95 = (ms: number[]) => quantile(ms, 0.95);
  console.log(
    `${name.padEnd(6)} ${FINISHED} finished, ${QUEUED} queued, ${SUBMITTED} submitted (filled in ${filled} s) | ` +
      `quota reads p50 ${p50(quota).toFixed(3)} ms p95 ${p95(quota).toFixed(3)} ms | ` +
      `overview p50 ${p50(overview).toFixed(3)} ms p95 ${p95(overview).toFixed(3)} ms | ratio ${(p50(overview) / p50(quota)).toFixed(1)}×`,
  );
}

async function main(): Promise<void> {
  const file = createFileStore();
  await file.open();
  await measure("file", file);
  await file.close();
  const redis = await startRedis();
  try {
    const store = createRedisStore({ url: redis.url, prefix: "bench-overview:" });
    await store.open();
    await measure("redis", store);
    await store.close();
  } finally {
    await redis.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
