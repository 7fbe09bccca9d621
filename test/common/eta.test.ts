// The wait estimate on its own: the rolling window, a pause, the daily limit, and the words.

import { describeWait, estimateSubmitAt, pacingSlotMs, type PaceState } from "../../src/common/eta";

const T = 1_000_000;
const pace = (over: Partial<PaceState> = {}): PaceState => ({ now: T, perMinute: 4, minuteMs: 60_000, recentTakes: [], pausedUntil: 0, ...over });

test("free tokens go at once; then each job waits for the take it replaces to leave the window", () => {
  const p = pace({ recentTakes: [T - 50_000, T - 10_000] });
  expect([1, 2, 3, 4, 5, 6].map((n) => estimateSubmitAt(n, p)! - T)).toEqual([0, 0, 10_000, 50_000, 60_000, 60_000]);
});

test("a pause holds everything until it ends; takes older than the window do not count", () => {
  const p = pace({ recentTakes: [T - 90_000, T - 30_000, T - 30_000, T - 20_000, T - 5_000], pausedUntil: T + 40_000 });
  // In the window: -30, -30, -20, -5. Free again at +30, +30, +40, +55; the pause ends at +40.
  expect([1, 2, 3, 4, 5].map((n) => estimateSubmitAt(n, p)! - T)).toEqual([40_000, 40_000, 40_000, 55_000, 100_000]);
});

test("unpaced: now, or the end of a pause; beyond the daily limit or a bad place: no estimate", () => {
  expect(estimateSubmitAt(7, pace({ perMinute: Infinity }))).toBe(T);
  expect(estimateSubmitAt(7, pace({ perMinute: Infinity, pausedUntil: T + 5 }))).toBe(T + 5);
  expect(estimateSubmitAt(3, pace({ dayLeft: 2 }))).toBeUndefined();
  expect(estimateSubmitAt(2, pace({ dayLeft: 2 }))).toBe(T);
  for (const bad of [0, -1, 1.5, NaN, 1e9]) expect(estimateSubmitAt(bad, pace())).toBeUndefined();
});

test("the slot and the words", () => {
  expect(pacingSlotMs(4, 60_000)).toBe(15_000);
  expect(pacingSlotMs(Infinity, 60_000)).toBe(0);
  expect(describeWait(1, 0)).toBe("#1 — any moment");
  expect(describeWait(2, 40_000)).toBe("#2 — under a minute");
  expect(describeWait(3, 90_000)).toBe("#3 — about 2 min");
  expect(describeWait(9, undefined)).toBe("#9 — after today's limit resets");
});
