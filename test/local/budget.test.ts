// The memory budget the local engine's tasks share, and the limits read from the environment.

import { MemoryBudget } from "../../src/broker/local/budget";
import { estimateTaskBytes, limitsFromEnv, DEFAULT_MAX_PIXELS, DEFAULT_MEMORY_BUDGET_BYTES } from "../../src/broker/local/limits";

const tick = () => new Promise((r) => setImmediate(r));

test("tasks start only while they fit beside the running ones, first come first served", async () => {
  const b = new MemoryBudget(100);
  const started: string[] = [];
  const take = (name: string, bytes: number, signal?: AbortSignal) =>
    b.acquire(bytes, signal).then((release) => {
      started.push(name);
      return release;
    });
  const a = take("a", 60);
  const c = take("c", 50); // does not fit beside a
  const d = take("d", 10); // would fit, but waits behind c (no overtaking)
  await tick();
  expect(started).toEqual(["a"]);
  expect(b.stats()).toMatchObject({ heldBytes: 60, waiting: 2 });
  (await a)();
  await tick();
  expect(started).toEqual(["a", "c", "d"]);
  expect(b.stats()).toMatchObject({ heldBytes: 60, waiting: 0, peakHeldBytes: 60 });
  (await c)();
  (await d)();
  expect(b.stats().heldBytes).toBe(0);
});

test("a task larger than the budget runs alone; a cancelled waiter leaves the queue", async () => {
  const b = new MemoryBudget(100);
  const started: string[] = [];
  const small = await b.acquire(10);
  const big = b.acquire(500).then((r) => (started.push("big"), r));
  const stop = new AbortController();
  const gone = b.acquire(10, stop.signal).then(
    () => started.push("gone"),
    () => "rejected",
  );
  await tick();
  expect(started).toEqual([]);
  stop.abort();
  expect(await gone).toBe("rejected");
  small();
  await tick();
  expect(started).toEqual(["big"]);
  const after = b.acquire(1).then((r) => (started.push("after"), r));
  await tick();
  expect(started).toEqual(["big"]);
  (await big)();
  (await after)();
  expect(started).toEqual(["big", "after"]);
  expect(b.stats()).toMatchObject({ heldBytes: 0, waiting: 0 });
});

test("limits from the environment: defaults, overrides, and a clear error for a bad value", () => {
  expect(limitsFromEnv({})).toEqual({ maxPixels: DEFAULT_MAX_PIXELS, memoryBudgetBytes: DEFAULT_MEMORY_BUDGET_BYTES });
  expect(limitsFromEnv({ INFILL_LOCAL_MAX_MEGAPIXELS: "12.5", INFILL_LOCAL_MEMORY_MB: "256" })).toEqual({
    maxPixels: 12_500_000,
    memoryBudgetBytes: 256 * 1024 * 1024,
  });
  for (const bad of ["0", "-1", "abc", "1e3", "0x10"]) {
    expect(() => limitsFromEnv({ INFILL_LOCAL_MEMORY_MB: bad })).toThrow(/INFILL_LOCAL_MEMORY_MB must be a positive number/);
  }
  // 50 MP fill: 200 MB input, 50 MB mask, 400 MB output and its encoding, 64 MB engine.
  expect(estimateTaskBytes(50e6, 50e6, 50e6)).toBe(4 * 50e6 + 50e6 + 8 * 50e6 + 64 * 1024 * 1024);
});
