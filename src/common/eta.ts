// When a queued job will be sent: the broker paces submits with a rolling per-minute window (a
// take is allowed while fewer than `perMinute` takes fall in the last `minuteMs`) and stops them
// all during an upstream 429 pause. From the takes already in the window, the job's place in the
// dispatch order and the pause, the send time of every job ahead follows, one token at a time.

/** What the broker's pace looks like at `now`. */
export interface PaceState {
  now: number;
  /** Submits allowed per window; Infinity: unpaced. */
  perMinute: number;
  /** Length of the rolling window in ms. */
  minuteMs: number;
  /** When the submits still inside the window were taken (ms, any order). */
  recentTakes: readonly number[];
  /** No submit before this (an upstream 429 pause; 0 or past: none). */
  pausedUntil: number;
  /** Submits left today under the daily limit (Infinity: no limit). */
  dayLeft?: number;
}

/** Positions beyond this are not estimated (a queue that long is capped per key long before). */
export const MAX_ESTIMATED_POSITION = 10_000;

/**
 * When the job at 1-based `position` in dispatch order is expected to be sent (ms since epoch),
 * assuming every job ahead is still there and nothing new jumps ahead. Undefined when the daily
 * limit runs out first or the position is out of range.
 */
export function estimateSubmitAt(position: number, pace: PaceState): number | undefined {
  if (!Number.isInteger(position) || position < 1 || position > MAX_ESTIMATED_POSITION) return undefined;
  if (position > (pace.dayLeft ?? Infinity)) return undefined;
  const start = Math.max(pace.now, pace.pausedUntil);
  const P = pace.perMinute;
  if (!(P < Infinity)) return start;
  if (P < 1) return undefined;
  const times = pace.recentTakes.filter((t) => t > pace.now - pace.minuteMs).sort((a, b) => a - b);
  let at = start;
  for (let k = 0; k < position; k++) {
    // The P-th most recent take must leave the window before another one is allowed.
    const blocking = times[times.length - P];
    at = blocking === undefined ? start : Math.max(start, blocking + pace.minuteMs);
    times.push(at);
  }
  return at;
}

/** The time between two paced submits on average (ms); 0 when unpaced. */
export function pacingSlotMs(perMinute: number, minuteMs: number): number {
  return perMinute < Infinity && perMinute > 0 ? minuteMs / perMinute : 0;
}

/** "#3 — about 2 min", "#1 — any moment", "#5 — after today's limit resets". */
export function describeWait(position: number, waitMs: number | undefined): string {
  return `#${position} — ${describeDelay(waitMs)}`;
}

/** A wait in words, rounded up to whole minutes past the first one. */
export function describeDelay(waitMs: number | undefined): string {
  if (waitMs === undefined) return "after today's limit resets";
  if (waitMs < 15_000) return "any moment";
  if (waitMs < 60_000) return "under a minute";
  return `about ${Math.ceil(waitMs / 60_000)} min`;
}
