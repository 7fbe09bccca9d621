// Letting the event loop run in tests that drive code without a clock of their own.

/** Lets the event loop turn until `done()` holds, at most `max` turns (the caller then asserts what it waited for). */
export async function flushUntil(done: () => boolean, max = 2000): Promise<void> {
  for (let i = 0; i < max && !done(); i++) await new Promise((r) => setImmediate(r));
}

/** Lets the event loop turn `n` times: for asserting that something did NOT happen meanwhile. */
export async function flush(n = 8): Promise<void> {
  await flushUntil(() => false, n);
}
