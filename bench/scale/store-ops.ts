// Store bench: the dispatch cycle a broker runs per job (queueStats, tryTakeRateToken, claimNext,
// markSubmitted, a status-poll check, finish) against the file store (in memory, and with its
// journal in the system's temp folder: one process) and the Redis store with 1 and 3 clients working the same queue at once.
//
//   npx ts-node --transpile-only bench/scale/store-ops.ts [--jobs 3000]
//
// Shows how far the store is from being the limit (Firefly's default pace is 4 jobs a minute).

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { createFileStore } from "../../src/broker/store/file-store";
import { createRedisStore } from "../../src/broker/store/redis";
import type { Store } from "../../src/broker/store/store";
import { startRedis } from "../../test/store/redis-server";
import { arg } from "../support/procs";

const JOBS = arg("jobs", 3000);
const LIMITS = { perMinute: 1e9, perDay: 1e9 };

async function fill(store: Store): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < JOBS; i++) {
    await store.enqueue(
      { id: `job-${i}`, owner: `user${i % 8}`, endpoint: "fill", request: { prompt: `bench ${i}`, numVariations: 1 }, createdAt: Date.now() },
      1e9,
    );
  }
  return JOBS / ((performance.now() - t0) / 1000);
}

async function drain(stores: Store[]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    stores.map(async (s, k) => {
      for (;;) {
        const now = Date.now();
        if ((await s.queueStats()).depth === 0) return;
        if (!(await s.tryTakeRateToken(now, LIMITS)).ok) continue;
        const job = await s.claimNext(`c${k}`, 60_000, now);
        if (!job) return;
        await s.markSubmitted(job.id, `c${k}`, `up-${job.id}`, now);
        await s.tryBeginStatusPoll(job.id, now, 1000);
        await s.finish(job.id, { state: "succeeded" }, now);
      }
    }),
  );
  return JOBS / ((performance.now() - t0) / 1000);
}

async function main() {
  const redis = await startRedis();
  console.log(`store bench: ${JOBS} jobs from 8 owners, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}`);
  const rows: [string, number, number][] = [];
  try {
    const file = createFileStore();
    await file.open();
    rows.push(["file store (memory)", await fill(file), await drain([file])]);
    await file.close();
    // With its journal: every change written (job records synced) before it counts.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "infill-storebench-"));
    try {
      const journaled = createFileStore({ file: path.join(dir, "journal.jsonl") });
      await journaled.open();
      rows.push(["file store (journal)", await fill(journaled), await drain([journaled])]);
      await journaled.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    for (const n of [1, 3]) {
      const stores = Array.from({ length: n }, () => createRedisStore({ url: redis.url, prefix: `storebench${n}:` }));
      await Promise.all(stores.map((s) => s.open()));
      rows.push([`Redis, ${n} client${n > 1 ? "s" : ""}`, await fill(stores[0]), await drain(stores)]);
      await Promise.all(stores.map((s) => s.close()));
    }
  } finally {
    await redis.stop();
  }
  console.log(`\n${"store".padEnd(24)}${"enqueue/s".padEnd(12)}dispatch cycles/s`);
  for (const [name, e, d] of rows) console.log(`${name.padEnd(24)}${e.toFixed(0).padEnd(12)}${d.toFixed(0)}`);
  const [, , one, three] = rows;
  console.log(
    `\nRedis, 3 clients vs 1: ${(three[2] / one[2]).toFixed(2)}× dispatch cycles/s (Redis runs scripts one at a time; clients add concurrency, not capacity)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
