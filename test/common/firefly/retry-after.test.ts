import { parseHttpDate, parseRetryAfter } from "../../../src/common/firefly";

// The same instant in all three HTTP-date forms; the expected values are written as ISO strings with `Z`,
// which every timezone reads as UTC. `npm test` also runs this file with TZ=America/New_York.
const NOW = Date.parse("2026-11-28T12:00:00Z");

describe("HTTP-date", () => {
  test("IMF-fixdate, RFC 850 and asctime name the same GMT instant", () => {
    const at = Date.parse("1994-11-06T08:49:37Z");
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).toBe(at);
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).toBe(at);
    expect(parseHttpDate("Sun Nov  6 08:49:37 1994", NOW)).toBe(at);
  });
  test("asctime with a two-digit day", () => {
    expect(parseHttpDate("Sat Nov 28 12:00:05 2026", NOW)).toBe(Date.parse("2026-11-28T12:00:05Z"));
  });
  test("RFC 850 two-digit years: up to 50 years ahead, else the past century", () => {
    expect(parseHttpDate("Saturday, 28-Nov-26 12:00:10 GMT", NOW)).toBe(Date.parse("2026-11-28T12:00:10Z"));
    expect(parseHttpDate("Monday, 01-Jan-76 00:00:00 GMT", NOW)).toBe(Date.parse("2076-01-01T00:00:00Z"));
    expect(parseHttpDate("Tuesday, 01-Jan-77 00:00:00 GMT", NOW)).toBe(Date.parse("1977-01-01T00:00:00Z"));
  });
  test("out-of-range fields and other date shapes are not HTTP-dates", () => {
    for (const v of [
      "Sat, 31 Feb 2026 12:00:00 GMT",
      "Sat, 28 Nov 2026 24:00:00 GMT",
      "Sat, 28 Nov 2026 12:60:00 GMT",
      "Sat, 28 Nov 2026 12:00:00 EST",
      "Sat, 28 Nov 2026 12:00:00",
      "2026-11-28T12:00:00Z",
      "Sat Nov 28 12:00:05 2026 GMT",
      "Sat, 28 Foo 2026 12:00:00 GMT",
    ])
      expect(parseHttpDate(v, NOW)).toBeUndefined();
  });
});

describe("Retry-After", () => {
  test("delta-seconds", () => {
    expect(parseRetryAfter("30", NOW)).toBe(30000);
    expect(parseRetryAfter(" 0 ", NOW)).toBe(0);
    expect(parseRetryAfter("1.5", NOW)).toBe(1500);
  });
  test("HTTP-date in all three formats gives the exact wait", () => {
    expect(parseRetryAfter("Sat, 28 Nov 2026 12:01:00 GMT", NOW)).toBe(60000);
    expect(parseRetryAfter("Saturday, 28-Nov-26 12:00:10 GMT", NOW)).toBe(10000);
    expect(parseRetryAfter("Sat Nov 28 12:00:05 2026", NOW)).toBe(5000);
  });
  test("a date in the past means now; absurd waits are capped at a day", () => {
    expect(parseRetryAfter("Fri, 27 Nov 2026 12:00:00 GMT", NOW)).toBe(0);
    expect(parseRetryAfter("999999999", NOW)).toBe(24 * 3600 * 1000);
    expect(parseRetryAfter("Sat, 05 Dec 2026 12:00:00 GMT", NOW)).toBe(24 * 3600 * 1000);
  });
  test("absent or unreadable", () => {
    for (const v of [undefined, null, "", "soon", "-5", "12abc", "1e9", "Sat, 31 Feb 2026 12:00:00 GMT"]) expect(parseRetryAfter(v, NOW)).toBeUndefined();
  });
});
