// Upstream deadlines: long ones are swept (firing at most one sweep late), short ones keep a
// timer; cancelled ones never fire; the sweep stops when there is nothing left to watch.

import { createDeadlines } from "../../src/broker/http/deadlines";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("swept deadlines fire once, not early and at most about one sweep late, in order", async () => {
  const d = createDeadlines(20); // swept from 200 ms on
  const t0 = performance.now();
  const fired: { name: string; at: number }[] = [];
  for (const [name, ms] of [["b", 300], ["a", 200], ["c", 260]] as const) d.after(ms, () => fired.push({ name, at: performance.now() - t0 }));
  expect(d.sweeping()).toBe(true);
  await sleep(450);
  expect(fired.map((f) => f.name)).toEqual(["a", "c", "b"]);
  for (const f of fired) {
    const due = { a: 200, c: 260, b: 300 }[f.name]!;
    expect(f.at).toBeGreaterThanOrEqual(due - 1);
    expect(f.at).toBeLessThan(due + 120); // one 20 ms sweep, plus a loaded machine's slack
  }
});

test("a cancelled deadline never fires, swept or timed", async () => {
  const d = createDeadlines(20);
  let fired = 0;
  const long = d.after(200, () => fired++);
  const short = d.after(50, () => fired++);
  long.cancel();
  short.cancel();
  await sleep(300);
  expect(fired).toBe(0);
});

test("short deadlines get their own timer; the sweep runs only while there is something to watch", async () => {
  const d = createDeadlines(20);
  let fired = false;
  d.after(60, () => (fired = true));
  expect(d.sweeping()).toBe(false);
  await sleep(120);
  expect(fired).toBe(true);
  d.after(200, () => undefined).cancel();
  expect(d.sweeping()).toBe(true);
  await sleep(1300); // a second of empty sweeps
  expect(d.sweeping()).toBe(false);
});
