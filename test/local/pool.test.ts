// The worker pool: real worker threads (under jest they load the TypeScript sources through
// ts-node). Concurrency with a responsive event loop, cancellation, crash and out-of-memory
// isolation. No wall-clock thresholds: assertions are on outcomes and ordering.

import * as http from "http";
import { AddressInfo } from "net";
import { EnginePool, TaskCancelledError, TaskFailedError } from "../../src/broker/local/pool";
import { fillImage } from "../../src/broker/local/engine";
import { countDiffering, grass, rectMask } from "./helpers";

jest.setTimeout(120000);

// Small fills: what these cases assert (ordering, cancellation, isolation, worker = in-process
// bytes) does not depend on the image size, and a 32×32 fill costs a fifth of a 96×96 one.
const SIZE = 32;

function fillTask(seed: number, size = SIZE) {
  const image = grass(size, size, seed);
  const mask = rectMask(size, size, size / 4, size / 4, (3 * size) / 4, (3 * size) / 4);
  return { op: "fill" as const, image, mask, options: { seed } };
}

describe("EnginePool", () => {
  // One pool for all cases (each new worker loads ts-node under jest, which is the slow part).
  // A 32 MB heap is plenty for the engine, whose images live in typed arrays off the heap (it
  // also holds a worker that has to load the TypeScript compiler, with the loader's cache empty),
  // and the out-of-memory case fills it in a fraction of the time a larger one takes.
  let pool: EnginePool;
  beforeAll(() => {
    pool = new EnginePool({ size: 2, testHooks: true, cancelGraceMs: 1000, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
  });
  afterAll(async () => {
    await pool.close();
  });

  it("runs ten concurrent jobs on two workers while the event loop keeps answering", async () => {
    const restarts = pool.stats().restarts;
    const server = http.createServer((_req, res) => res.end("ok"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    let finished = 0;
    try {
      const tasks = Array.from({ length: 10 }, (_, i) => fillTask(100 + i));
      const expected = fillImage(fillTask(100).image, fillTask(100).mask, { seed: 100 });
      const jobs = tasks.map((t) =>
        pool.run(t).then((img) => {
          finished++;
          return img;
        }),
      );
      expect(pool.stats().workers).toBe(2);
      // Health checks answered while the jobs are still running.
      const answers: number[] = [];
      for (let k = 0; k < 3; k++) {
        const body = await new Promise<string>((resolve, reject) =>
          http
            .get(`http://127.0.0.1:${port}/health`, (res) => {
              let b = "";
              res.on("data", (c) => (b += c));
              res.on("end", () => resolve(b));
            })
            .on("error", reject),
        );
        expect(body).toBe("ok");
        answers.push(finished);
      }
      const ticksAtHealth = ticks;
      const results = await Promise.all(jobs);
      expect(results).toHaveLength(10);
      for (const r of results) expect([r.width, r.height]).toEqual([SIZE, SIZE]);
      expect(Buffer.from(results[0].data).equals(Buffer.from(expected.data))).toBe(true); // worker = in-process result
      expect(answers[0]).toBeLessThan(10); // the first health answer came before the jobs were done
      expect(ticks).toBeGreaterThan(ticksAtHealth); // the interval kept firing while the jobs ran
      expect(pool.stats()).toMatchObject({ workers: 2, busy: 0, queued: 0, restarts });
    } finally {
      clearInterval(timer);
      server.close();
    }
  });

  // "Stopped within a second" is asserted without a clock: the pool terminates a worker that has
  // not answered 1 s after its abort flag was set (and counts that as a restart), so a
  // cancellation that ends with no restart was noticed and stopped by the worker itself within
  // that second. (That no iteration runs after the flag is set is checked in engine.test.ts.)
  it("stops a running job soon after cancel: the worker itself notices the flag", async () => {
    const restarts = pool.stats().restarts;
    const ac = new AbortController();
    const p = pool.run(
      { op: "test", action: "spin" },
      {
        signal: ac.signal,
        onProgress: (f) => {
          if (f * 1e6 >= 3) ac.abort();
        },
      },
    );
    await expect(p).rejects.toBeInstanceOf(TaskCancelledError);
    // no restart: the worker stopped by itself before the 1 s grace period ran out
    expect(pool.stats().restarts).toBe(restarts);
    // and the workers take the next job
    const img = await pool.run(fillTask(1));
    expect(img.width).toBe(SIZE);
    expect(pool.stats()).toMatchObject({ workers: 2, restarts });
  });

  it("cancels a real completion between iterations, and a queued job without running it", async () => {
    const restarts = pool.stats().restarts;
    const ac = new AbortController();
    const queued = new AbortController();
    let startedQueued = false;
    const running = pool.run(fillTask(3, 320), { signal: ac.signal, onProgress: () => ac.abort() });
    const other = pool.run({ op: "test", action: "spin" }, { signal: queued.signal }); // keeps the second worker busy
    const waiting = pool.run(fillTask(4), { signal: queued.signal, onStart: () => (startedQueued = true) });
    expect(pool.stats().queued).toBe(1);
    // Handlers go on all three at once: whichever settles first is never an unhandled rejection.
    const settled = Promise.allSettled([waiting, other, running]);
    queued.abort();
    for (const r of await settled) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(TaskCancelledError);
    }
    expect(startedQueued).toBe(false);
    expect(pool.stats().restarts).toBe(restarts); // the engine stopped between iterations by itself
  });

  it("terminates a worker that ignores cancel after the grace period, and recovers", async () => {
    const restarts = pool.stats().restarts;
    const ac = new AbortController();
    // "hang" loops without ever looking at the abort flag.
    const p = pool.run({ op: "test", action: "hang" }, { signal: ac.signal, onStart: () => setTimeout(() => ac.abort(), 50) });
    await expect(p).rejects.toBeInstanceOf(TaskCancelledError);
    expect(pool.stats().restarts).toBe(restarts + 1);
    const img = await pool.run(fillTask(2));
    expect(img.height).toBe(SIZE);
  });

  it("fails only the job whose worker crashes or runs out of memory, and keeps serving", async () => {
    const restarts = pool.stats().restarts;
    const good1 = fillTask(21);
    const good2 = fillTask(22);
    const reference = fillImage(fillTask(21).image, fillTask(21).mask, { seed: 21 });
    const results = await Promise.allSettled([
      pool.run({ op: "test", action: "crash" }),
      pool.run(good1),
      pool.run({ op: "test", action: "oom" }),
      pool.run({ op: "test", action: "throw" }),
      pool.run(good2),
    ]);
    const reasons = results.map((r) => (r.status === "rejected" ? (r.reason as Error) : null));
    expect(reasons[0]).toBeInstanceOf(TaskFailedError);
    expect(reasons[2]).toBeInstanceOf(TaskFailedError);
    expect(reasons[2]!.message).toMatch(/out of memory/);
    expect(reasons[3]).toBeInstanceOf(TaskFailedError);
    expect(results[1].status).toBe("fulfilled");
    expect(results[4].status).toBe("fulfilled");
    const img1 = (results[1] as PromiseFulfilledResult<{ width: number; height: number; data: Uint8Array }>).value;
    expect(countDiffering(img1, reference, () => true)).toBe(0);
    expect(pool.stats().restarts).toBe(restarts + 3);
    const after = await pool.run(fillTask(23));
    expect(after.width).toBe(SIZE);
  });
});
