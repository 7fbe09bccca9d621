// The fair, paced queue: the org's per-minute and per-day limits, round-robin across keys, the
// per-key cap, upstream 429 pauses (both retry-after forms), status-poll collapsing, and a restart
// that loses no accepted job. A manual clock drives the pace: no timed assertions.

import * as path from "path";
import { createFileStore } from "../../src/broker/store/file-store";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, KEY_A, KEY_ADMIN, KEY_B, manualClock, registerSecret, startTestBroker, TestBroker, tmpDir, until, writeKeysFile } from "./helpers";

const fakes: FakeFirefly[] = [];
const brokers: TestBroker[] = [];
afterAll(async () => {
  for (const ff of fakes) ff.tokens.forEach(registerSecret);
  for (const b of brokers) await b.close();
  for (const ff of fakes) await ff.close();
});

async function setup(env: Record<string, string>, clock = manualClock(), dir?: string) {
  const ff = await startFakeFirefly();
  fakes.push(ff);
  const b = await startTestBroker({ ...ff.env(), ...env }, { now: clock.now, dir });
  brokers.push(b);
  return { ff, b, clock };
}

const submits = (ff: FakeFirefly) => ff.calls.filter((c) => c.route === "submit");
const prompts = (ff: FakeFirefly) => submits(ff).map((c) => (c.body as { prompt: string }).prompt);

async function gen(b: TestBroker, key: string, prompt: string): Promise<string> {
  const r = await call(b.url, "POST", "/v3/images/generate-async", { key, body: { prompt } });
  expect(r.status).toBe(202);
  return r.json.jobId;
}

async function settled(b: TestBroker, ff: FakeFirefly, sent: number, queued: number) {
  await until(async () => {
    const s = await b.store.queueStats();
    return submits(ff).length === sent && s.depth === queued && s.submitting === 0;
  }, `${sent} sent and ${queued} queued`);
}

/** Move the clock on by `ms`, let the dispatcher look again, and wait for `sent` sent and `queued` queued. */
async function later(ms: number, clock: ReturnType<typeof manualClock>, b: TestBroker, ff: FakeFirefly, sent: number, queued: number) {
  clock.advance(ms);
  b.dispatcher.kick();
  await settled(b, ff, sent, queued);
}

test("submits are paced at INFILL_RATE_PER_MINUTE over a rolling minute; the rest wait as `queued`", async () => {
  const { ff, b, clock } = await setup({ INFILL_RATE_PER_MINUTE: "4", INFILL_MAX_QUEUED_PER_KEY: "50" });
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push(await gen(b, KEY_A, `job ${i}`));
  await settled(b, ff, 4, 6);
  const s = await call(b.url, "GET", `/v3/status/${ids[4]}`, { key: KEY_A });
  expect(s.json).toEqual({ jobId: ids[4], status: "queued", queuePosition: 1 });
  const last = await call(b.url, "GET", `/v3/status/${ids[9]}`, { key: KEY_A });
  expect(last.json.queuePosition).toBe(6);
  // Uploads and status polls are never held back by the queue.
  expect((await call(b.url, "GET", "/v3/custom-models", { key: KEY_A })).status).toBe(200);

  await later(59_000, clock, b, ff, 4, 6);
  await later(1_001, clock, b, ff, 8, 2);
  await later(60_000, clock, b, ff, 10, 0);
  expect(prompts(ff)).toEqual(ids.map((_, i) => `job ${i}`));
  const health = await call(b.url, "GET", "/health");
  expect(health.json.queue.depth).toBe(0);
});

test("keys are served round-robin (least recently served first), FIFO within a key", async () => {
  const { ff, b, clock } = await setup({ INFILL_RATE_PER_MINUTE: "1" });
  const a1 = await gen(b, KEY_A, "a1");
  await settled(b, ff, 1, 0);
  const a2 = await gen(b, KEY_A, "a2");
  const a3 = await gen(b, KEY_A, "a3");
  const b1 = await gen(b, KEY_B, "b1");
  const b2 = await gen(b, KEY_B, "b2");
  const c1 = await gen(b, KEY_ADMIN, "c1");
  void a1;
  const pos = async (id: string, key: string) => (await call(b.url, "GET", `/v3/status/${id}`, { key })).json.queuePosition;
  expect(await pos(b1, KEY_B)).toBe(1);
  expect(await pos(c1, KEY_ADMIN)).toBe(2);
  expect(await pos(a2, KEY_A)).toBe(3);
  expect(await pos(b2, KEY_B)).toBe(4);
  expect(await pos(a3, KEY_A)).toBe(5);
  for (let i = 2; i <= 6; i++) {
    await later(60_001, clock, b, ff, i, 6 - i);
  }
  expect(prompts(ff)).toEqual(["a1", "b1", "c1", "a2", "b2", "a3"]);
});

test("a key over its queue cap gets the broker's own 429 with retry-after; other keys are unaffected", async () => {
  const { ff, b } = await setup({ INFILL_RATE_PER_MINUTE: "1", INFILL_MAX_QUEUED_PER_KEY: "2" });
  await gen(b, KEY_A, "x1");
  await settled(b, ff, 1, 0);
  await gen(b, KEY_A, "x2");
  await gen(b, KEY_A, "x3");
  const over = await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "x4" } });
  expect(over.status).toBe(429);
  expect(over.json).toMatchObject({ error_code: "queue_full", category: "rate_limited" });
  expect(Number(over.headers["retry-after"])).toBeGreaterThan(0);
  expect((await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_B, body: { prompt: "y1" } })).status).toBe(202);
});

test("the daily cap answers 429 daily_limit_reached once the rolling day is used up", async () => {
  const { ff, b, clock } = await setup({ INFILL_RATE_PER_MINUTE: "100", INFILL_RATE_PER_DAY: "3" });
  for (let i = 0; i < 3; i++) await gen(b, KEY_A, `d${i}`);
  await settled(b, ff, 3, 0);
  const r = await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "d4" } });
  expect(r.status).toBe(429);
  expect(r.json).toMatchObject({ error_code: "daily_limit_reached", category: "quota" });
  clock.advance(24 * 3600_000 + 1);
  expect((await call(b.url, "POST", "/v3/images/generate-async", { key: KEY_A, body: { prompt: "d5" } })).status).toBe(202);
});

test.each([
  ["delta-seconds", (_now: number) => "30"],
  ["HTTP-date", (now: number) => new Date(now + 30_000).toUTCString()],
])("an upstream 429 (%s) pauses the whole queue for its retry-after, then the job is sent", async (_form, header) => {
  const { ff, b, clock } = await setup({ INFILL_RATE_PER_MINUTE: "100" });
  ff.inject({ route: "submit", status: 429, body: { error_code: "rate_limited" }, headers: { "retry-after": header(clock.now()) } });
  const id = await gen(b, KEY_A, "p1");
  await until(async () => (await b.store.pausedUntil()) > clock.now(), "pause");
  const paused = await b.store.pausedUntil();
  expect(paused - clock.now()).toBeGreaterThanOrEqual(29_000);
  expect(paused - clock.now()).toBeLessThanOrEqual(30_000);
  await gen(b, KEY_B, "p2");
  await settled(b, ff, 1, 2); // the 429 was the only call
  expect((await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A })).json.status).toBe("queued");
  await later(30_001, clock, b, ff, 3, 0);
  // p1 had its turn (refused with 429, requeued at the head of alice's line); bob is next in the rotation.
  expect(prompts(ff)).toEqual(["p1", "p2", "p1"]);
  expect((await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A })).json.status).not.toBe("queued");
});

test("concurrent status polls for one job collapse into one upstream call per second", async () => {
  const { ff, b, clock } = await setup({ INFILL_RATE_PER_MINUTE: "100" });
  ff.inject({ route: "status", delayMs: 50 });
  const id = await gen(b, KEY_A, "poll me");
  await until(async () => (await b.store.getJob(id))?.state === "submitted", "submitted");
  const statusCalls = () => ff.calls.filter((c) => c.route === "status").length;
  const agent = new (await import("http")).Agent({ keepAlive: true, maxSockets: 50 });
  const burst = () => Promise.all(Array.from({ length: 50 }, () => call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A, agent })));
  const first = await burst();
  expect(first.every((r) => r.status === 200 && r.json.status === "running")).toBe(true);
  expect(statusCalls()).toBe(1);
  await burst();
  expect(statusCalls()).toBe(1); // same second: served from the snapshot
  clock.advance(1_000);
  const third = await burst();
  expect(statusCalls()).toBe(2);
  expect(third.every((r) => r.json.status === "succeeded")).toBe(true);
  clock.advance(5_000);
  await burst();
  expect(statusCalls()).toBe(2); // terminal: never polled again
  agent.destroy();
});

test("a restart loses no accepted job: queued jobs and ownership survive and resume", async () => {
  const dir = tmpDir();
  writeKeysFile(dir);
  const clock = manualClock();
  const { ff, b } = await setup({ INFILL_RATE_PER_MINUTE: "1" }, clock, dir);
  const sent = await gen(b, KEY_A, "r1");
  await settled(b, ff, 1, 0);
  const q1 = await gen(b, KEY_B, "r2");
  const q2 = await gen(b, KEY_A, "r3");
  await b.close();

  const b2 = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "1" }, { now: clock.now, dir });
  brokers.push(b2);
  expect((await call(b2.url, "GET", `/v3/status/${q1}`, { key: KEY_B })).json).toMatchObject({ status: "queued", queuePosition: 1 });
  expect((await call(b2.url, "GET", `/v3/status/${q2}`, { key: KEY_A })).json).toMatchObject({ status: "queued", queuePosition: 2 });
  expect((await call(b2.url, "GET", `/v3/status/${q1}`, { key: KEY_A })).status).toBe(404);
  // The job sent before the restart is still polled upstream under its owner.
  expect(["running", "succeeded"]).toContain((await call(b2.url, "GET", `/v3/status/${sent}`, { key: KEY_A })).json.status);
  // The rate window survived too: nothing more this minute.
  b2.dispatcher.kick();
  await settled(b2, ff, 1, 2);
  await later(60_001, clock, b2, ff, 2, 1);
  await later(60_001, clock, b2, ff, 3, 0);
  expect(prompts(ff)).toEqual(["r1", "r2", "r3"]);
});

/**
 * A broker started on a data folder where "dead-broker" claimed job `id` (and, if `onWire`,
 * marked it as sending), then died.
 */
async function startAfterCrash(id: string, onWire: boolean) {
  const dir = tmpDir();
  writeKeysFile(dir);
  const store = createFileStore({ file: path.join(dir, "data", "broker-store.jsonl") });
  await store.open();
  await store.enqueue({ id, owner: "alice", endpoint: "generate", request: { prompt: "crash" }, createdAt: Date.now() }, 10);
  await store.claimNext("dead-broker", 600_000, Date.now());
  if (onWire) expect(await store.markSending(id, "dead-broker", Date.now())).toBe(true);
  await store.close(); // the process "dies" holding the claim
  return setup({}, manualClock(Date.now()), dir);
}

test("a job caught mid-submit by a crash is failed, never resent (it may have been billed)", async () => {
  const id = "urn:infill:jobs:0f0e0d0c-0b0a-4900-8800-000000000001";
  const { ff, b } = await startAfterCrash(id, true);
  const s = await call(b.url, "GET", `/v3/status/${id}`, { key: KEY_A });
  expect(s.json).toMatchObject({ status: "failed", error_code: "submit_interrupted", category: "service_unavailable" });
  expect(submits(ff)).toHaveLength(0);
});

test("a job claimed but not yet sent when the broker crashed is sent after the restart, once", async () => {
  const id = "urn:infill:jobs:0f0e0d0c-0b0a-4900-8800-000000000002";
  const { ff, b } = await startAfterCrash(id, false);
  await until(async () => (await b.store.getJob(id))?.state === "submitted", "the job to be sent");
  expect(prompts(ff)).toEqual(["crash"]);
  expect(await b.store.getJob(id)).toMatchObject({ state: "submitted", submitAttempts: 1 });
  expect(b.logs.map((l) => JSON.parse(l)).find((e) => e.event === "claim_taken_over")).toMatchObject({
    jobId: id,
    result: "requeued",
    claimedBy: "dead-broker",
  });
});

test("graceful shutdown finishes in-flight requests and keeps the queue", async () => {
  const { ff, b } = await setup({ INFILL_RATE_PER_MINUTE: "1" });
  await gen(b, KEY_A, "g1");
  await settled(b, ff, 1, 0);
  const queued = await gen(b, KEY_A, "g2");
  // The upstream answers only once the broker has stopped taking connections.
  let answerUpstream!: () => void;
  ff.inject({ route: "custom-models", until: new Promise<void>((r) => (answerUpstream = r)) });
  const slow = call(b.url, "GET", "/v3/custom-models", { key: KEY_A });
  await until(() => ff.calls.some((c) => c.route === "custom-models"), "slow request upstream");
  const closing = b.close();
  await until(
    () =>
      call(b.url, "GET", "/health", { agent: false }).then(
        () => false,
        () => true,
      ),
    "the broker to stop taking connections",
  );
  answerUpstream();
  const r = await slow;
  expect(r.status).toBe(200);
  await closing;
  await expect(call(b.url, "GET", "/health")).rejects.toThrow();
  const reopened = createFileStore({ file: path.join(b.dir, "data", "broker-store.jsonl") });
  await reopened.open();
  expect((await reopened.getJob(queued))?.state).toBe("queued");
  await reopened.close();
});

test("one broker per data folder: a second one on the same store refuses to start", async () => {
  const dir = tmpDir();
  writeKeysFile(dir);
  const { ff, b } = await setup({}, manualClock(Date.now()), dir);
  await expect(startTestBroker({ ...ff.env() }, { dir })).rejects.toThrow(/another broker \(pid \d+\) is using/);
  await b.close();
  // Released on close: the next start takes it.
  const again = await startTestBroker({ ...ff.env() }, { dir });
  brokers.push(again);
  expect((await call(again.url, "GET", "/health")).json.status).toBe("ok");
});

test("a usage count that cannot be written does not turn an accepted submit into an error", async () => {
  const ff = await startFakeFirefly();
  fakes.push(ff);
  const inner = createFileStore();
  // The store takes the job but refuses the usage count that follows (a full disk).
  const store = new Proxy(inner, {
    get(target, prop) {
      if (prop === "recordUsage") return async () => Promise.reject(Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }));
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const b = await startTestBroker({ ...ff.env(), INFILL_RATE_PER_MINUTE: "0" }, { store });
  brokers.push(b);
  const id = await gen(b, KEY_A, "counted or not");
  await until(() => submits(ff).length === 1, "the accepted job upstream");
  expect((await b.store.getJob(id))?.owner).toBe("alice");
  const failed = b.logs.map((l) => JSON.parse(l)).filter((e) => e.event === "store_write_failed");
  expect(failed).toEqual([expect.objectContaining({ op: "recordUsage", jobId: id })]);
});
