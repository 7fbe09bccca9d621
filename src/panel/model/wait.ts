// Words for the wait and the organisation's quota, from the host's `quota` event. Pure.

import { describeDelay, describeWait } from "../../common/eta";
import type { JobState } from "../../common/jobs";
import { waitAt, type QuotaView } from "../../common/protocol/quota-schema";

const n = (v: number) => v.toLocaleString("en-US");

/** "#3 — about 2 min" for a job waiting in the broker's queue at a known place, else null. */
export function jobWaitText(job: JobState, quota: QuotaView | null, now: number): string | null {
  if (job.phase !== "queued" || job.queuePosition === undefined || !quota) return null;
  const w = waitAt(quota, job.queuePosition, now);
  return w === undefined ? null : describeWait(job.queuePosition, w ?? undefined);
}

/**
 * Under the run button: what a run spends and where it would wait if started now. Null until the
 * broker shares its quota, and for an unpaced broker without a daily limit (its local engine).
 */
export function runWaitText(quota: QuotaView | null, now: number, requests = 1): string | null {
  if (!quota || (quota.day.limit === null && quota.minute.limit === null)) return null;
  const cost = `Uses ${requests} Firefly request${requests === 1 ? "" : "s"}.`;
  const place = quota.depth + 1;
  const w = waitAt(quota, place, now);
  if (w === undefined) return cost;
  return quota.depth === 0 && w === 0 ? `${cost} No queue: it goes at once.` : `${cost} If run now: ${describeWait(place, w ?? undefined)}.`;
}

/** Settings: today's organisation usage against the daily limit, this minute's, and any pause. */
export function usageLines(quota: QuotaView, now: number): string[] {
  const lines = [
    quota.day.limit === null ? `Today: ${n(quota.day.used)} requests (no daily limit).` : `Today: ${n(quota.day.used)} of ${n(quota.day.limit)} requests.`,
  ];
  if (quota.minute.limit !== null) lines.push(`This minute: ${n(quota.minute.used)} of ${n(quota.minute.limit)}.`);
  if (quota.pausedUntil !== null && quota.pausedUntil > now) {
    lines.push(`Firefly asked the broker to pause: sending resumes ${describeDelay(quota.pausedUntil - now).replace(/^about /, "in about ")}.`);
  }
  return lines;
}
