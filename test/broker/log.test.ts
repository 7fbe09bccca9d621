// Log lines go through pino and are redacted twice (fields secret by name, then secrets by value
// in the finished line): one JSON object per line, in order, nothing lost (also when the process
// exits at once), nothing secret. And output links: signing the same link again gives the same link.

import { spawn } from "child_process";
import * as path from "path";
import { Logger, Redactor } from "../../src/broker/log";
import { OutputSigner } from "../../src/broker/outputs";
import { call, KEY_A, startTestBroker, until } from "./helpers";
import { TS_NODE_ARGS } from "../support/node-ts";

function capturedLogger(redactor = new Redactor()) {
  const lines: string[] = [];
  return { lines, log: new Logger((l) => lines.push(l), redactor) };
}

test("log lines: one JSON object per line, in order, with level and time; secrets masked by value and by field name", () => {
  const redactor = new Redactor();
  const secret = "a-client-secret-value-42";
  redactor.add(secret);
  const { lines, log } = capturedLogger(redactor);
  for (let i = 0; i < 100; i++) log.log({ n: i, detail: `upstream said ${secret}`, auth: "Bearer abcdefghijklmnop" });
  // Secret by name, whatever the value looks like (too short or plain for the value scrubbing).
  log.log({ authorization: "hunter2", headers: { authorization: "x", cookie: "c=1" }, upstream: { access_token: "tok", client_secret: "s" }, key: "alice" });
  log.error({ event: "internal_error", error: `stack with ${secret}` });
  expect(lines).toHaveLength(102);
  lines.forEach((l) => expect(l).not.toContain("\n"));
  const entries = lines.map((l) => JSON.parse(l));
  entries.slice(0, 100).forEach((e, i) => {
    expect(e).toMatchObject({ level: "info", n: i, detail: "upstream said [redacted]", auth: "Bearer [redacted]" });
    expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
  expect(entries[100]).toMatchObject({
    authorization: "[redacted]",
    headers: { authorization: "[redacted]", cookie: "[redacted]" },
    upstream: { access_token: "[redacted]", client_secret: "[redacted]" },
    key: "alice",
  });
  expect(entries[101]).toMatchObject({ level: "error", event: "internal_error", error: "stack with [redacted]" });
  expect(lines.join("\n")).not.toContain(secret);
  expect(lines.join("\n")).not.toContain("hunter2");
});

test("a log line holds the entry's fields after level and time; an entry that cannot be serialised still gives a line", () => {
  const { lines, log } = capturedLogger();
  log.log({ a: 1, b: "x", skipped: undefined, nested: { c: [1, 2] } });
  log.log({});
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  log.log(cyclic);
  const [a, empty, cyc] = lines.map((l) => JSON.parse(l));
  expect(Object.keys(a)).toEqual(["level", "time", "a", "b", "nested"]);
  expect(a).toMatchObject({ a: 1, b: "x", nested: { c: [1, 2] } });
  expect(Object.keys(empty)).toEqual(["level", "time"]);
  expect(cyc.a).toBe(1);
  expect(lines[2]).toContain("[Circular]");
});

test("log times are ISO times to the millisecond, across seconds, minutes and days", () => {
  const { lines, log } = capturedLogger();
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

test("standard output: every line arrives, in order and redacted, even when the process exits right after logging", async () => {
  // A process that logs a burst (more than one buffer's worth) and exits in the same turn.
  const script = [
    'const { Logger, Redactor, fdSink } = require("./src/broker/log");',
    'const r = new Redactor(); r.add("child-secret-0123456789");',
    "const log = new Logger(fdSink(), r);",
    'for (let i = 0; i < 3000; i++) log.log({ i, note: "said child-secret-0123456789" });',
    "process.exit(0);",
  ].join("\n");
  const child = spawn(process.execPath, [...TS_NODE_ARGS, "-e", script], {
    cwd: path.join(__dirname, "..", ".."),
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c) => (out += c));
  child.stderr.on("data", (c) => (err += c));
  const code = await new Promise<number | null>((r) => child.on("close", r));
  expect(err).toBe("");
  expect(code).toBe(0);
  const lines = out.split("\n");
  expect(lines.pop()).toBe("");
  expect(lines.map((l) => JSON.parse(l).i)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  expect(out).not.toContain("child-secret-0123456789");
  expect(JSON.parse(lines[0]).note).toBe("said [redacted]");
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

test("standard output: a single line from a quiet process arrives while the process runs on", async () => {
  const script = [
    'const { Logger, Redactor, fdSink } = require("./src/broker/log");',
    'new Logger(fdSink(), new Redactor()).log({ event: "alone" });',
    'process.stderr.write("logged\\n");',
    "setInterval(() => undefined, 1000);",
  ].join("\n");
  const child = spawn(process.execPath, [...TS_NODE_ARGS, "-e", script], {
    cwd: path.join(__dirname, "..", ".."),
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c) => (out += c));
  child.stderr.on("data", (c) => (err += c));
  try {
    await until(() => err.includes("logged") || child.exitCode !== null, "the child to log", 3000, 10);
    expect(err).toBe("logged\n");
    await until(() => out.endsWith("\n"), "the line on standard output", 200, 10);
    expect(JSON.parse(out)).toMatchObject({ event: "alone" });
  } finally {
    child.kill();
  }
});

test("every request has an id: sent back as x-request-id (readable by allowed browser pages) and in its one log line", async () => {
  const b = await startTestBroker({});
  try {
    const mine = await call(b.url, "GET", "/v3/custom-models", { key: KEY_A });
    const id = String(mine.headers["x-request-id"]);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const other = await call(b.url, "GET", "/health");
    expect(other.headers["x-request-id"]).not.toBe(id);
    // A sane id from the client is kept; one too long or with other characters is replaced.
    const given = await call(b.url, "GET", "/health", { headers: { "x-request-id": "panel-job_7:a.b" } });
    expect(given.headers["x-request-id"]).toBe("panel-job_7:a.b");
    for (const bad of ["x".repeat(65), "a b", 'a"b', "ümlaut", ""]) {
      const r = await call(b.url, "GET", "/health", { headers: { "x-request-id": bad } });
      expect(r.headers["x-request-id"]).not.toBe(bad);
      expect(String(r.headers["x-request-id"])).toMatch(/^[0-9a-f-]{36}$/);
    }
    // Refused requests carry one too.
    const refused = await call(b.url, "GET", "/v3/custom-models");
    expect(refused.status).toBe(401);
    expect(refused.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const cors = await call(b.url, "GET", "/health", { headers: { origin: b.url } });
    expect(String(cors.headers["access-control-expose-headers"]).split(", ")).toContain("x-request-id");
    await b.close();
    const requestLines = b.logs.map((l) => JSON.parse(l)).filter((e) => e.route !== undefined);
    const byId = (rid: unknown) => requestLines.filter((e) => e.reqId === rid);
    expect(byId(id)).toEqual([expect.objectContaining({ key: "alice", route: "GET /v3/custom-models", status: mine.status })]);
    expect(byId("panel-job_7:a.b")).toHaveLength(1);
    expect(byId(refused.headers["x-request-id"])).toEqual([expect.objectContaining({ status: 401 })]);
    expect(requestLines.every((e) => typeof e.reqId === "string")).toBe(true);
  } finally {
    await b.close();
  }
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
