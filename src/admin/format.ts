// How the admin page writes numbers and times.

/** "3 / 4", "3 (no limit)". */
export function usedOf(used: number, limit: number | null): string {
  return limit === null ? `${used} (no limit)` : `${used} / ${limit}`;
}

/** "45 s", "2 min 5 s", "1 h 3 min". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** "12 s ago" (relative to the broker's `now`). */
export function ago(at: number, now: number): string {
  return `${duration(now - at)} ago`;
}

/** "14:03:07 UTC". */
export function clock(at: number): string {
  return `${new Date(at).toISOString().slice(11, 19)} UTC`;
}

/** "120 ms", "1.4 s". */
export function millis(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
