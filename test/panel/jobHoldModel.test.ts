// What holds a queued job, in words: Firefly's rate-limit pause and today's used-up limit with the
// time it allows more, and whether the preview stays. Pure; the clock is a number and times of day
// are written in UTC here.

import type { JobState } from "../../src/common/jobs";
import { PREVIEW_NOTE } from "../../src/common/preview-words";
import type { QuotaView } from "../../src/common/protocol";
import { jobHoldText } from "../../src/panel/jobs/hold";
import { job, quotaView } from "./fixtures";

const T = Date.UTC(2026, 11, 5, 12, 0, 0);
const utc = (ms: number) => new Date(ms).toISOString().slice(11, 16);
const quota = (over: Partial<QuotaView> = {}): QuotaView => quotaView(T, [10_000, 40_000, 100_000, 160_000], over);
const queued = (over: Partial<JobState> = {}): JobState => job({ phase: "queued", queuePosition: 2, ...over });
const previewed = queued({ note: PREVIEW_NOTE });

test("a rate-limit pause names the time the queue goes on, and that the preview stays when there is one", () => {
  const paused = quota({ pausedUntil: T + 3 * 60_000 });
  expect(jobHoldText(previewed, paused, T, utc)).toBe("Paused by Firefly's rate limit until 12:03 — the preview stays");
  expect(jobHoldText(queued(), paused, T, utc)).toBe("Paused by Firefly's rate limit until 12:03");
  // Over once its time has passed.
  expect(jobHoldText(previewed, paused, T + 3 * 60_000 + 1, utc)).toBeNull();
});

test("today's used-up limit says so, with the reset time when the broker gives one", () => {
  const resetsAt = T + 9 * 3_600_000 + 15 * 60_000;
  const used = quota({ day: { used: 9000, limit: 9000, resetsAt } });
  expect(jobHoldText(previewed, used, T, utc)).toBe("Today's Firefly limit is used up: waiting until 21:15 — the preview stays");
  expect(jobHoldText(queued(), quota({ day: { used: 9001, limit: 9000 } }), T, utc)).toBe("Today's Firefly limit is used up: waiting");
  // The limit outweighs a pause: it holds the job longer.
  expect(jobHoldText(queued(), { ...used, pausedUntil: T + 60_000 }, T, utc)).toBe("Today's Firefly limit is used up: waiting until 21:15");
});

test("nothing is said while nothing holds the job, for jobs not queued, or without the broker's quota", () => {
  expect(jobHoldText(previewed, quota(), T, utc)).toBeNull();
  expect(jobHoldText(previewed, quota({ day: { used: 5, limit: null } }), T, utc)).toBeNull();
  expect(jobHoldText(previewed, null, T, utc)).toBeNull();
  expect(jobHoldText({ ...previewed, phase: "running" }, quota({ pausedUntil: T + 60_000 }), T, utc)).toBeNull();
});

test("a job whose own status polls are paused says so in any waiting phase, the later pause winning", () => {
  const running = queued({ phase: "running", queuePosition: undefined, note: PREVIEW_NOTE, pausedUntil: T + 90_000 });
  expect(jobHoldText(running, null, T, utc)).toBe("Paused by Firefly's rate limit until 12:01 — the preview stays");
  expect(jobHoldText({ ...running, phase: "queued" }, quota({ pausedUntil: T + 5 * 60_000 }), T, utc)).toBe(
    "Paused by Firefly's rate limit until 12:05 — the preview stays",
  );
  expect(jobHoldText({ ...running, phase: "failed" }, null, T, utc)).toBeNull();
  expect(jobHoldText(running, null, T + 90_001, utc)).toBeNull();
});
