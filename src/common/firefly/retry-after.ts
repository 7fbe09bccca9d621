// `Retry-After` as Firefly may send it: delta-seconds (the docs) or an HTTP-date (the OpenAPI text).

const MAX_WAIT_MS = 24 * 60 * 60 * 1000;

/**
 * Milliseconds to wait before retrying, or undefined when the header is absent or unreadable.
 * A date in the past means "now" (0). Waits are capped at one day.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Math.round(Number(value) * 1000), MAX_WAIT_MS);
  // HTTP-date (IMF-fixdate, RFC 850 or asctime): must name a weekday or month, not be a bare number.
  if (!/[A-Za-z]{3}/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - nowMs), MAX_WAIT_MS);
}
