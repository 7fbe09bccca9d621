// The admin overview's pure parts: the upstream latency rings and how a failed job is listed.

import { failureOf } from "../../src/broker/observability/overview";
import { LatencyRings, quantile } from "../../src/broker/observability/latency";

test("latency rings keep the last calls per target and summarise them", () => {
  const rings = new LatencyRings(4);
  for (const ms of [100, 1, 2, 3, 4]) rings.add("firefly", ms);
  rings.add("ims", 50);
  expect(rings.summary()).toEqual([
    // 100 was pushed out by the fifth call.
    { target: "firefly", count: 4, p50Ms: 2, p95Ms: 4, maxMs: 4, lastMs: 4 },
    { target: "ims", count: 1, p50Ms: 50, p95Ms: 50, maxMs: 50, lastMs: 50 },
  ]);
  expect(quantile([], 0.5)).toBe(0);
  expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
  expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
});

test("a failed job is listed with its code and category, never its message", () => {
  const base = { id: "j", owner: "alice", endpoint: "fill" as const, updatedAt: 5 };
  expect(failureOf({ ...base, error: { status: 403, body: { error_code: "quota_exceeded", message: "secret-ish text", category: "quota" } } })).toEqual({
    at: 5,
    person: "alice",
    endpoint: "fill",
    status: 403,
    code: "quota_exceeded",
    category: "quota",
  });
  expect(failureOf({ ...base, final: { jobId: "u", status: "failed", error_code: "input_image_unsafe", message: "about the prompt" } })).toEqual({
    at: 5,
    person: "alice",
    endpoint: "fill",
    code: "input_image_unsafe",
    category: "content_policy",
  });
  expect(failureOf({ ...base, final: { jobId: "u", status: "timeout" } })).toMatchObject({ category: "timeout" });
});
