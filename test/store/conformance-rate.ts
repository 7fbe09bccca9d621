// Store conformance, the rate window (RateWindow): run on every backend from describeStoreConformance (conformance.ts). Times are
// passed in (`now`), so nothing here waits.

import type { RateWindow } from "../../src/broker/store/store";
import { DAY, MIN, T0 } from "./fixtures";

export function describeRateWindowConformance(create: () => Promise<RateWindow>): void {
  test("rate windows: per minute and per rolling day, with the wait until a slot frees", async () => {
    const s = await create();
    const limits = { perMinute: 4, perDay: 6 };
    for (let i = 0; i < 4; i++) expect(await s.tryTakeRateToken(T0 + i * 1000, limits)).toEqual({ ok: true });
    expect(await s.tryTakeRateToken(T0 + 10_000, limits)).toEqual({ ok: false, reason: "minute", retryInMs: 50_000 });
    expect(await s.rateUsage(T0 + 10_000)).toEqual({ lastMinute: 4, lastDay: 4, pausedUntil: 0 });
    // A minute after the first take, one slot frees (the window is (now - 60 s, now]).
    expect(await s.tryTakeRateToken(T0 + MIN - 1, limits)).toMatchObject({ ok: false, reason: "minute", retryInMs: 1 });
    expect(await s.tryTakeRateToken(T0 + MIN, limits)).toEqual({ ok: true });
    expect(await s.tryTakeRateToken(T0 + MIN, limits)).toMatchObject({ ok: false, reason: "minute", retryInMs: 1000 });
    expect(await s.tryTakeRateToken(T0 + 2 * MIN, limits)).toEqual({ ok: true });
    // Six in the rolling day: the day limit answers until the first take is 24 h old.
    expect(await s.tryTakeRateToken(T0 + 3 * MIN, limits)).toEqual({ ok: false, reason: "day", retryInMs: DAY - 3 * MIN });
    expect(await s.rateUsage(T0 + 3 * MIN)).toEqual({ lastMinute: 0, lastDay: 6, pausedUntil: 0 });
    expect(await s.tryTakeRateToken(T0 + DAY - 1, limits)).toMatchObject({ ok: false, reason: "day", retryInMs: 1 });
    expect(await s.tryTakeRateToken(T0 + DAY, limits)).toEqual({ ok: true });
    // Unlimited: always granted, nothing counted.
    const before = await s.rateUsage(T0 + DAY);
    expect(await s.tryTakeRateToken(T0 + DAY, { perMinute: Infinity, perDay: Infinity })).toEqual({ ok: true });
    expect(await s.rateUsage(T0 + DAY)).toEqual(before);
    // Only a daily cap.
    const d = await create();
    for (let i = 0; i < 3; i++) expect(await d.tryTakeRateToken(T0, { perMinute: Infinity, perDay: 3 })).toEqual({ ok: true });
    expect(await d.tryTakeRateToken(T0 + 5, { perMinute: Infinity, perDay: 3 })).toEqual({ ok: false, reason: "day", retryInMs: DAY - 5 });
  });

  test("a shortened minute window (tests) frees its slot after that window, not after 60 s", async () => {
    const s = await create();
    const limits = { perMinute: 1, perDay: 100, minuteMs: 5_000 };
    expect(await s.tryTakeRateToken(T0, limits)).toEqual({ ok: true });
    expect(await s.tryTakeRateToken(T0 + 1_000, limits)).toEqual({ ok: false, reason: "minute", retryInMs: 4_000 });
    expect(await s.tryTakeRateToken(T0 + 5_000, limits)).toEqual({ ok: true });
  });

  test("takesSince lists the times of the submits taken after a moment, oldest first, and changes nothing", async () => {
    const s = await create();
    const limits = { perMinute: 10, perDay: 100 };
    for (const at of [T0, T0 + 1_000, T0 + 2_500]) expect(await s.tryTakeRateToken(at, limits)).toEqual({ ok: true });
    expect(await s.tryTakeRateToken(T0 + 3_000, { perMinute: 3, perDay: 100 })).toMatchObject({ ok: false, reason: "minute" });
    expect(await s.takesSince(T0 + 500)).toEqual([T0 + 1_000, T0 + 2_500]);
    expect(await s.takesSince(T0 - 1)).toEqual([T0, T0 + 1_000, T0 + 2_500]);
    expect(await s.takesSince(T0 + 2_500)).toEqual([]);
    expect(await s.rateUsage(T0 + 3_000)).toEqual({ lastMinute: 3, lastDay: 3, pausedUntil: 0 });
  });

  test("concurrent takers never get more tokens than the window holds", async () => {
    const s = await create();
    const results = await Promise.all(Array.from({ length: 30 }, () => s.tryTakeRateToken(T0, { perMinute: 4, perDay: 9000 })));
    expect(results.filter((r) => r.ok)).toHaveLength(4);
  });

  test("a pause holds every submit and is never shortened", async () => {
    const s = await create();
    expect(await s.pausedUntil()).toBe(0);
    await s.pauseUntil(T0 + 30_000);
    await s.pauseUntil(T0 + 10_000);
    expect(await s.pausedUntil()).toBe(T0 + 30_000);
    expect(await s.tryTakeRateToken(T0 + 5_000, { perMinute: 4, perDay: 100 })).toEqual({ ok: false, reason: "paused", retryInMs: 25_000 });
    expect(await s.tryTakeRateToken(T0 + 5_000, { perMinute: Infinity, perDay: Infinity })).toEqual({ ok: false, reason: "paused", retryInMs: 25_000 });
    expect((await s.rateUsage(T0 + 5_000)).pausedUntil).toBe(T0 + 30_000);
    await s.pauseUntil(T0 + 45_000);
    expect(await s.pausedUntil()).toBe(T0 + 45_000);
    expect(await s.tryTakeRateToken(T0 + 45_000, { perMinute: 4, perDay: 100 })).toEqual({ ok: true });
  });
}
