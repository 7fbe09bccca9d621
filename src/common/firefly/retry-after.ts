// `Retry-After` as Firefly may send it: delta-seconds (the docs) or an HTTP-date (the OpenAPI text).
// HTTP-dates are always GMT (RFC 9110 §5.6.7), so they are parsed here field by field rather than
// with `Date.parse`, which reads the asctime form in the local timezone.

const MAX_WAIT_MS = 24 * 60 * 60 * 1000;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const LONG_DAYS = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTH = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";

/** IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = new RegExp(`^${DAYS}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** Obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC_850 = new RegExp(`^${LONG_DAYS}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
/** Obsolete asctime: `Sun Nov  6 08:49:37 1994` (day padded with a space). */
const ASCTIME = new RegExp(`^${DAYS} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

interface DateFields {
  year: number;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

/** Epoch milliseconds of a GMT date, or undefined when a field is out of range (31 Feb, 25:00:00). */
function utc(f: DateFields): number | undefined {
  const month = MONTHS.indexOf(f.month);
  const day = Number(f.day.trim());
  const [hour, minute, second] = [Number(f.hour), Number(f.minute), Number(f.second)];
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const midnight = new Date(Date.UTC(f.year, month, day));
  // Date.UTC maps years 0-99 to 1900-1999; set the full year explicitly.
  midnight.setUTCFullYear(f.year, month, day);
  if (midnight.getUTCDate() !== day || midnight.getUTCMonth() !== month) return undefined;
  return midnight.getTime() + ((hour * 60 + minute) * 60 + second) * 1000;
}

/** RFC 9110: a two-digit year more than 50 years in the future is the most recent past year with those digits. */
function fullYear(twoDigits: number, nowMs: number): number {
  const nowYear = new Date(nowMs).getUTCFullYear();
  let year = Math.floor(nowYear / 100) * 100 + twoDigits;
  if (year > nowYear + 50) year -= 100;
  return year;
}

/** Epoch milliseconds of an HTTP-date in any of its three forms, or undefined when it is not one. */
export function parseHttpDate(value: string, nowMs: number = Date.now()): number | undefined {
  let m = IMF_FIXDATE.exec(value);
  if (m) return utc({ day: m[1], month: m[2], year: Number(m[3]), hour: m[4], minute: m[5], second: m[6] });
  m = RFC_850.exec(value);
  if (m) return utc({ day: m[1], month: m[2], year: fullYear(Number(m[3]), nowMs), hour: m[4], minute: m[5], second: m[6] });
  m = ASCTIME.exec(value);
  if (m) return utc({ month: m[1], day: m[2], hour: m[3], minute: m[4], second: m[5], year: Number(m[6]) });
  return undefined;
}

/**
 * Milliseconds to wait before retrying, or undefined when the header is absent or unreadable.
 * A date in the past means "now" (0). Waits are capped at one day.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Math.round(Number(value) * 1000), MAX_WAIT_MS);
  const at = parseHttpDate(value, nowMs);
  if (at === undefined) return undefined;
  return Math.min(Math.max(0, at - nowMs), MAX_WAIT_MS);
}
