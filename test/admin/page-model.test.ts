// The admin page's pure parts: reading the overview (what a refused key and a failure look like)
// and how numbers and times are written.

import { fetchOverview } from "../../src/admin/fetch-overview";
import { ago, clock, duration, millis, usedOf } from "../../src/admin/format";

const answer = (status: number, body: unknown) =>
  (async () => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })) as unknown as typeof fetch;

test("the overview is read with the key as a bearer header, never in the URL", async () => {
  let seen: { url: string; init: RequestInit } | undefined;
  const f = (async (url: string, init: RequestInit) => {
    seen = { url, init };
    return new Response(JSON.stringify({ now: 1 }), { status: 200 });
  }) as unknown as typeof fetch;
  expect(await fetchOverview("ifk_admin_key_123", f)).toEqual({ ok: true, overview: { now: 1 } });
  expect(seen!.url).toBe("/v1/admin/overview");
  expect((seen!.init.headers as Record<string, string>).authorization).toBe("Bearer ifk_admin_key_123");
});

test("a wrong key and a key that is not an admin key are refused; other failures are retried", async () => {
  expect(await fetchOverview("k", answer(401, { message: "The broker key is not valid." }))).toEqual({
    ok: false,
    kind: "refused",
    message: "That key is not valid. The broker key is not valid.",
  });
  expect(await fetchOverview("k", answer(403, { message: "Admin keys only." }))).toMatchObject({
    ok: false,
    kind: "refused",
    message: "That key is not an admin key. Admin keys only.",
  });
  expect(await fetchOverview("k", answer(503, { message: "The job store cannot be reached." }))).toEqual({
    ok: false,
    kind: "failed",
    message: "The job store cannot be reached.",
  });
  const down = (async () => {
    throw new TypeError("fetch failed");
  }) as unknown as typeof fetch;
  expect(await fetchOverview("k", down)).toEqual({ ok: false, kind: "failed", message: "The broker cannot be reached." });
  const html = (async () => new Response("<html>", { status: 502 })) as unknown as typeof fetch;
  expect(await fetchOverview("k", html)).toEqual({ ok: false, kind: "failed", message: "The broker answered 502." });
});

test("numbers and times", () => {
  expect(usedOf(3, 4)).toBe("3 / 4");
  expect(usedOf(3, null)).toBe("3 (no limit)");
  expect([duration(0), duration(44_600), duration(60_000), duration(125_000), duration(3_600_000), duration(3_780_000)]).toEqual([
    "0 s",
    "45 s",
    "1 min",
    "2 min 5 s",
    "1 h",
    "1 h 3 min",
  ]);
  expect(ago(1_000, 13_000)).toBe("12 s ago");
  expect(clock(Date.UTC(2026, 11, 5, 14, 3, 7))).toBe("14:03:07 UTC");
  expect([millis(120.4), millis(1440)]).toEqual(["120 ms", "1.4 s"]);
});
