// Log lines are redacted one by one and written in batches: one JSON object per line, in order,
// nothing lost, nothing secret. And output links: signing the same link again gives the same link.

import { batchedSink, Logger, Redactor } from "../../src/broker/log";
import { OutputSigner } from "../../src/broker/outputs";

test("batched log lines: one write per event-loop turn, one JSON object per line, in order, redacted", async () => {
  const writes: string[] = [];
  const sink = batchedSink((text) => writes.push(text));
  const redactor = new Redactor();
  const secret = "a-client-secret-value-42";
  redactor.add(secret);
  const log = new Logger(sink, redactor);
  for (let i = 0; i < 100; i++) log.log({ n: i, detail: `upstream said ${secret}`, auth: "Bearer abcdefghijklmnop" });
  expect(writes).toHaveLength(1); // the first line (after a quiet spell) at once, the rest at the end of this turn
  await new Promise((r) => setImmediate(r));
  expect(writes).toHaveLength(2);
  const lines = writes.join("").split("\n");
  expect(lines.pop()).toBe("");
  expect(lines).toHaveLength(100);
  lines.forEach((l, i) => {
    const e = JSON.parse(l);
    expect(e).toMatchObject({ n: i, detail: "upstream said [redacted]", auth: "Bearer [redacted]" });
    expect(typeof e.time).toBe("string");
  });
  expect(writes.join("")).not.toContain(secret);
  // A large burst is written before the turn ends; flush() writes the rest at once.
  const big = batchedSink((text) => writes.push(text), 1000);
  for (let i = 0; i < 30; i++) big(JSON.stringify({ i, pad: "x".repeat(90) }));
  expect(writes.length).toBeGreaterThan(1);
  big.flush();
  const all = writes.slice(2).join("").trim().split("\n").map((l) => JSON.parse(l).i);
  expect(all).toEqual(Array.from({ length: 30 }, (_, i) => i));
});

test("lines after a quiet spell are written one by one at once, in order; a burst after them is batched", async () => {
  const writes: string[] = [];
  const sink = batchedSink((text) => writes.push(text));
  for (let i = 0; i < 5; i++) {
    sink(`quiet ${i}`);
    expect(writes).toHaveLength(i + 1);
    await new Promise((r) => setTimeout(r, 5));
  }
  for (let i = 0; i < 50; i++) sink(`burst ${i}`);
  expect(writes).toHaveLength(6);
  await new Promise((r) => setImmediate(r));
  expect(writes).toHaveLength(7);
  const lines = writes.join("").split("\n");
  expect(lines.pop()).toBe("");
  expect(lines).toEqual([...Array.from({ length: 5 }, (_, i) => `quiet ${i}`), ...Array.from({ length: 50 }, (_, i) => `burst ${i}`)]);
});

test("redaction: secrets, bearer credentials, secret parameters and broker keys are masked; other text is unchanged", () => {
  const r = new Redactor();
  r.add("s3cr3t-value-1234");
  const plain = '{"route":"GET /v3/status/:jobId","status":200,"jobId":"urn:infill:jobs:x"}';
  expect(r.redact(plain)).toBe(plain);
  expect(r.redact("said s3cr3t-value-1234 twice: s3cr3t-value-1234")).toBe("said [redacted] twice: [redacted]");
  expect(r.redact("authorization: bearer abcdefgh12345678")).toBe("authorization: bearer [redacted]");
  expect(r.redact("https://x/y?Client_Secret=abc&b=1")).toBe("https://x/y?Client_Secret=[redacted]&b=1");
  expect(r.redact("key ifk_abcdefgh12345678 and IFK_ABCDEFGH1234")).toBe("key ifk_[redacted] and ifk_[redacted]");
});

test("a log line is the entry's JSON with the time first (as if spread after it)", () => {
  const lines: string[] = [];
  const log = new Logger((l) => lines.push(l), new Redactor());
  log.log({ a: 1, b: "x", skipped: undefined, nested: { c: [1, 2] } });
  log.log({});
  log.log({ time: "given", a: 2 });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  log.log(cyclic);
  const [a, empty, given, bad] = lines.map((l) => JSON.parse(l));
  expect(Object.keys(a)).toEqual(["time", "a", "b", "nested"]);
  expect(a).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), a: 1, b: "x", nested: { c: [1, 2] } });
  expect(Object.keys(empty)).toEqual(["time"]);
  expect(given).toEqual({ time: "given", a: 2 });
  expect(bad).toEqual({ time: expect.any(String), msg: "unserialisable log entry" });
});

test("log times are ISO times to the millisecond, across seconds, minutes and days", () => {
  const lines: string[] = [];
  const log = new Logger((l) => lines.push(l), new Redactor());
  const start = Date.UTC(2026, 11, 31, 23, 59, 58, 990);
  const times = [0, 1, 9, 10, 11, 99, 100, 500, 999, 1000, 1001, 1010, 1999, 2000, 2009, 2099, 2100, 3_600_000 + 7];
  const clock = jest.spyOn(Date, "now");
  try {
    for (const t of times) {
      clock.mockReturnValue(start + t);
      log.log({ t });
    }
  } finally {
    clock.mockRestore();
  }
  expect(lines.map((l) => JSON.parse(l).time)).toEqual(times.map((t) => new Date(start + t).toISOString()));
});

test("an output link signed again within its minute is the same link, and it verifies", () => {
  const signer = new OutputSigner(Buffer.alloc(32, 3));
  const now = Date.UTC(2026, 10, 28, 12, 0, 10);
  const a = signer.sign("urn:infill:jobs:x", 0, "ann", now);
  expect(signer.sign("urn:infill:jobs:x", 0, "ann", now + 20_000)).toBe(a);
  expect(signer.sign("urn:infill:jobs:x", 1, "ann", now)).not.toBe(a);
  expect(signer.sign("urn:infill:jobs:x", 0, "bob", now)).not.toBe(a);
  const u = new URL(a, "http://b");
  expect(signer.verify("urn:infill:jobs:x", 0, "ann", Number(u.searchParams.get("expires")), u.searchParams.get("sig")!, now)).toBe("ok");
  expect(signer.verify("urn:infill:jobs:x", 0, "bob", Number(u.searchParams.get("expires")), u.searchParams.get("sig")!, now)).toBe("bad");
  // Many links later (the remembered ones are dropped) the same link comes out again.
  for (let i = 0; i < 3000; i++) signer.sign(`urn:infill:jobs:${i}`, 0, "ann", now);
  expect(signer.sign("urn:infill:jobs:x", 0, "ann", now)).toBe(a);
  // Another signer with the same key signs the same link (instances sharing the key).
  expect(new OutputSigner(Buffer.alloc(32, 3)).sign("urn:infill:jobs:x", 0, "ann", now)).toBe(a);
});
