// What holds a waiting job, from the host's `quota` event and the job's own status polls: Firefly's
// rate-limit pause, or today's limit used up (with the time it allows more, when the broker says).
// A job with its preview in the document says the preview stays. Pure.

import { clockTime } from "../../common/clock-time";
import type { JobState } from "../../common/jobs";
import { PREVIEW_NOTE } from "../../common/preview-words";
import type { QuotaView } from "../../common/protocol/quota-schema";
import { isActive } from "./describe";

/** "Paused by Firefly's rate limit until 12:03 — the preview stays", or null when nothing holds the job. */
export function jobHoldText(job: JobState, quota: QuotaView | null, now: number, clock: (ms: number) => string = clockTime): string | null {
  if (!isActive(job)) return null;
  const stays = job.note === PREVIEW_NOTE ? " — the preview stays" : "";
  // The queue's hold applies to jobs in it; the job's own pause comes from its status polls.
  const queue = job.phase === "queued" ? quota : null;
  const day = queue?.day;
  if (day && day.limit !== null && day.used >= day.limit) {
    const reset = day.resetsAt !== undefined && day.resetsAt > now ? ` until ${clock(day.resetsAt)}` : "";
    return `Today's Firefly limit is used up: waiting${reset}${stays}`;
  }
  const pausedUntil = Math.max(job.pausedUntil ?? 0, queue?.pausedUntil ?? 0);
  return pausedUntil > now ? `Paused by Firefly's rate limit until ${clock(pausedUntil)}${stays}` : null;
}
