// The wait and the quota in words, and the panel state's copy of the host's quota. Pure.

import type { JobState } from "../../src/common/jobs";
import { makeEvent, type QuotaView } from "../../src/common/protocol";
import { initialState, reduce } from "../../src/panel/model/state";
import { jobWaitText, runWaitText, usageLines } from "../../src/panel/model/wait";
import { job, quotaView } from "./fixtures";

const T = 1_700_000_000_000;
const quota: QuotaView = quotaView(T, [10_000, 40_000, 100_000, 160_000]);
const queued = (queuePosition?: number): JobState => job({ phase: "queued", queuePosition });

test("a queued job's place and wait, counted down from when the host read them", () => {
  expect(jobWaitText(queued(3), quota, T)).toBe("#3 — about 2 min");
  expect(jobWaitText(queued(3), quota, T + 50_000)).toBe("#3 — under a minute");
  expect(jobWaitText(queued(1), quota, T)).toBe("#1 — any moment");
  expect(jobWaitText(queued(9), quota, T)).toBeNull(); // beyond what the broker estimated
  expect(jobWaitText(queued(undefined), quota, T)).toBeNull();
  expect(jobWaitText(queued(2), null, T)).toBeNull();
  expect(jobWaitText({ ...queued(2), phase: "running" }, quota, T)).toBeNull();
  expect(jobWaitText(queued(2), { ...quota, waits: [0, null] }, T)).toBe("#2 — after today's limit resets");
});

test("the run button says what a run spends and where it would wait", () => {
  expect(runWaitText(null, T)).toBeNull();
  expect(runWaitText({ ...quota, day: { used: 0, limit: null }, minute: { used: 0, limit: null } }, T)).toBeNull(); // the local engine
  expect(runWaitText({ ...quota, waits: [] }, T)).toBe("Uses 1 Firefly request.");
  expect(runWaitText(quota, T)).toBe("Uses 1 Firefly request. If run now: #4 — about 3 min.");
  expect(runWaitText({ ...quota, depth: 0, waits: [0] }, T)).toBe("Uses 1 Firefly request. No queue: it goes at once.");
  expect(runWaitText(quota, T, 3)).toMatch(/^Uses 3 Firefly requests\./);
});

test("Settings: today's usage against the daily limit, this minute's, and a pause", () => {
  expect(usageLines(quota, T)).toEqual(["Today: 1,234 of 9,000 requests.", "This minute: 4 of 4."]);
  expect(usageLines({ ...quota, day: { used: 5, limit: null }, minute: { used: 5, limit: null } }, T)).toEqual(["Today: 5 requests (no daily limit)."]);
  expect(usageLines({ ...quota, pausedUntil: T + 90_000 }, T)[2]).toBe("Firefly asked the broker to pause: sending resumes in about 2 min.");
});

test("the panel keeps the latest quota the host sent", () => {
  const s = reduce(initialState, { type: "event", event: makeEvent({ type: "quota", quota }) });
  expect(s.quota).toEqual(quota);
  const later = reduce(s, { type: "event", event: makeEvent({ type: "quota", quota: { ...quota, depth: 0, waits: [0] } }) });
  expect(later.quota?.depth).toBe(0);
});
