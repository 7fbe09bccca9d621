// The last upstream call times per target (ims, firefly, output), kept in a small ring each, and
// their summary for the admin overview: how many are kept, the median, the 95th percentile and
// the slowest. Per broker instance; nothing about a call but its target and time.

import type { OverviewLatency } from "../../common/admin-overview";

/** Calls kept per target. */
export const LATENCY_RING_SIZE = 200;

/** The summary of one target's ring (at most LATENCY_RING_SIZE calls, the latest). */
export type LatencySummary = OverviewLatency;

/** The `q` quantile (0..1) of ascending `sorted` values, nearest rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export class LatencyRings {
  private readonly rings = new Map<string, { values: number[]; next: number; last: number }>();

  constructor(private readonly size = LATENCY_RING_SIZE) {}

  add(target: string, ms: number): void {
    let ring = this.rings.get(target);
    if (!ring) this.rings.set(target, (ring = { values: [], next: 0, last: ms }));
    if (ring.values.length < this.size) ring.values.push(ms);
    else ring.values[ring.next] = ms;
    ring.next = (ring.next + 1) % this.size;
    ring.last = ms;
  }

  /** One summary per target that has calls, by target name. */
  summary(): LatencySummary[] {
    return [...this.rings.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([target, ring]) => {
        const sorted = [...ring.values].sort((a, b) => a - b);
        const round = (ms: number) => Math.round(ms * 10) / 10;
        return {
          target,
          count: sorted.length,
          p50Ms: round(quantile(sorted, 0.5)),
          p95Ms: round(quantile(sorted, 0.95)),
          maxMs: round(sorted[sorted.length - 1]),
          lastMs: round(ring.last),
        };
      });
  }
}
