// GET /v1/quota: what any key may know about the wait — the organisation's submits today and in
// the current window against the limits (and, once today's is used up, when it allows more), any upstream 429 pause, the queue ahead and the pace, and
// the caller's own queued jobs (asked for by id) with their places and estimated waits, and the
// estimated wait at every place in the queue.
// Numbers only: nothing names another key or its jobs.

import { estimateSubmitAt, pacingSlotMs, type PaceState } from "../../common/eta";
import type { BrokerParts } from "../http/context";
import { httpError } from "../http/errors";
import { dayResetsAt } from "../jobs/day-reset";
import { JOB_ID_RE } from "../jobs/service";
import type { KeyEntry } from "../keys";

export const QUOTA_PATH = "/v1/quota";

/** Job ids one request may ask about (a key's queue is capped well below). */
export const MAX_QUOTA_JOBS = 50;

/** Places whose estimated waits the answer lists (a queue is capped per key well before). */
export const MAX_QUOTA_WAITS = 200;

/** A limit as JSON carries it: null when there is none. */
const limitOut = (n: number) => (n < Infinity ? n : null);

export interface QuotaJob {
  jobId: string;
  position: number;
  /** Estimated ms until it is sent; null when the daily limit runs out first. */
  waitMs: number | null;
}

export async function quota(parts: BrokerParts, key: KeyEntry, query: URLSearchParams): Promise<Record<string, unknown>> {
  const ids = query.getAll("job");
  if (ids.length > MAX_QUOTA_JOBS) throw httpError(400, "bad_request", "invalid_input", `Ask about at most ${MAX_QUOTA_JOBS} jobs at once.`);
  const { store, config } = parts;
  const now = parts.jobs.now();
  const minuteMs = config.rateMinuteMs;
  const [usage, takes, stats] = await Promise.all([store.rateUsage(now), store.takesSince(now - minuteMs), store.queueStats()]);
  const pausedUntil = usage.pausedUntil > now ? usage.pausedUntil : 0;
  const pace: PaceState = {
    now,
    perMinute: config.ratePerMinute,
    minuteMs,
    recentTakes: takes,
    pausedUntil,
    dayLeft: Math.max(0, config.ratePerDay - usage.lastDay),
  };
  const resetsAt = pace.dayLeft === 0 ? await dayResetsAt(store, config.ratePerDay, now) : null;
  const waitAt = (position: number) => {
    const at = estimateSubmitAt(position, pace);
    return at === undefined ? null : at - now;
  };
  const jobs: QuotaJob[] = [];
  for (const id of new Set(ids)) {
    if (!JOB_ID_RE.test(id)) continue;
    const job = await store.getJob(id);
    if (!job || job.owner !== key.name || job.state !== "queued") continue;
    const position = await store.queuePosition(id);
    if (position !== undefined) jobs.push({ jobId: id, position, waitMs: waitAt(position) });
  }
  jobs.sort((a, b) => a.position - b.position);
  const nextPosition = stats.depth + 1;
  return {
    now,
    day: { used: usage.lastDay, limit: limitOut(config.ratePerDay), resetsAt },
    minute: { used: takes.length, limit: limitOut(config.ratePerMinute), windowMs: minuteMs },
    pausedUntil: pausedUntil || null,
    pace: { perMinute: limitOut(config.ratePerMinute), slotMs: pacingSlotMs(config.ratePerMinute, minuteMs) },
    queue: { depth: stats.depth, submitting: stats.submitting, mine: stats.byOwner[key.name] ?? 0 },
    next: { position: nextPosition, waitMs: waitAt(nextPosition) },
    // The estimated wait of the job at each place 1, 2, … up to the next one (a client that knows
    // its job's place from a status poll reads it here).
    waits: Array.from({ length: Math.min(nextPosition, MAX_QUOTA_WAITS) }, (_, i) => waitAt(i + 1)),
    jobs,
  };
}
