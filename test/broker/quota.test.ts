// GET /v1/quota over real HTTP: the organisation's usage against the limits, the pause, the queue
// ahead and the caller's own queued jobs with their places — and the wait it estimates for each
// job, checked against when the dispatcher really sends it. A manual clock drives the pace (one
// virtual second per step); the same run goes through the file store and through three broker
// instances on one Redis, whose answers must agree.

import * as fs from "fs";
import * as path from "path";
import { createStoreFromEnv } from "../../src/broker/store/from-env";
import type { RateDecision, Store } from "../../src/broker/store/store";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { startRedis, type TestRedis } from "../store/redis-server";
import { call, KEY_A, KEY_B, manualClock, registerSecret, startTestBroker, tmpDir, until, writeKeysFile, type TestBroker } from "./helpers";

const PER_MINUTE = 4;
const SLOT = 60_000 / PER_MINUTE;

const fakes: FakeFirefly[] = [];
const brokers: TestBroker[] = [];
let redis: TestRedis | undefined;
afterAll(async () => {
  for (const ff of fakes) ff.tokens.forEach(registerSecret);
  for (const b of brokers) await b.close().catch(() => undefined);
  for (const ff of fakes) await ff.close();
  await redis?.stop();
});

/** One instance's store, noting each rate decision and which job each claim took, at virtual times. */
interface Watch {
  decisions: { now: number; ok: boolean }[];
  claimedAt: Map<string, number>;
}

function watched(inner: Store, w: Watch): Store {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "tryTakeRateToken") {
        return async (now: number, limits: Parameters<Store["tryTakeRateToken"]>[1]) => {
          const d: RateDecision = await target.tryTakeRateToken(now, limits);
          w.decisions.push({ now, ok: d.ok });
          return d;
        };
      }
      if (prop === "claimNext") {
        return async (claimant: string, leaseMs: number, now: number) => {
          const job = await target.claimNext(claimant, leaseMs, now);
          if (job) w.claimedAt.set(job.id, now);
          return job;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

interface Cluster {
  ff: FakeFirefly;
  instances: TestBroker[];
  watches: Watch[];
  clock: ReturnType<typeof manualClock>;
}

async function cluster(n: number, extraEnv: Record<string, string>): Promise<Cluster> {
  const ff = await startFakeFirefly();
  fakes.push(ff);
  const clock = manualClock();
  const env = { ...ff.env(), INFILL_RATE_PER_MINUTE: String(PER_MINUTE), INFILL_MAX_QUEUED_PER_KEY: "20", ...extraEnv };
  const keysDir = tmpDir();
  const keysFile = writeKeysFile(keysDir);
  const instances: TestBroker[] = [];
  const watches: Watch[] = [];
  for (let i = 0; i < n; i++) {
    const dir = tmpDir();
    fs.copyFileSync(keysFile, path.join(dir, "keys.json"));
    const w: Watch = { decisions: [], claimedAt: new Map() };
    const b = await startTestBroker(env, { dir, now: clock.now, store: watched(createStoreFromEnv(env), w) });
    brokers.push(b);
    instances.push(b);
    watches.push(w);
  }
  return { ff, instances, watches, clock };
}

async function gen(b: TestBroker, key: string, prompt: string): Promise<string> {
  const r = await call(b.url, "POST", "/v3/images/generate-async", { key, body: { prompt } });
  expect(r.status).toBe(202);
  return r.json.jobId;
}

/** Let every instance look at the queue at the current virtual time and wait until each is done. */
async function tick(c: Cluster): Promise<void> {
  const now = c.clock.now();
  for (const b of c.instances) b.dispatcher.kick();
  const store = c.instances[0].store;
  await until(async () => {
    const s = await store.queueStats();
    if (s.submitting !== 0) return false;
    return s.depth === 0 || c.watches.every((w) => w.decisions.some((d) => d.now === now && !d.ok));
  }, `the dispatchers at ${now}`);
}

const quota = (b: TestBroker, key: string, ids: string[]) =>
  call(b.url, "GET", `/v1/quota${ids.length ? "?" + ids.map((id) => `job=${encodeURIComponent(id)}`).join("&") : ""}`, { key });

/**
 * Two submits at t0 and one at +20 s fill three of the four tokens; an upstream 429 pauses the
 * queue until +70 s; then alice queues 5 jobs and bob 4. Every instance answers the same places
 * and waits, and each job is sent within one pacing slot of its estimate.
 */
async function paceRun(c: Cluster): Promise<void> {
  const t0 = c.clock.now();
  const [first] = c.instances;
  const at = (i: number) => c.instances[i % c.instances.length];
  const sentAt = () => new Map(c.watches.flatMap((w) => [...w.claimedAt]));
  const early = [await gen(first, KEY_A, "early 1"), await gen(first, KEY_A, "early 2")];
  await tick(c);
  c.clock.advance(20_000);
  early.push(await gen(first, KEY_A, "early 3"));
  await tick(c);
  c.clock.advance(10_000);
  await first.store.pauseUntil(t0 + 70_000);
  const alice: string[] = [];
  const bob: string[] = [];
  for (let i = 0; i < 5; i++) alice.push(await gen(at(i), KEY_A, `alice ${i}`));
  for (let i = 0; i < 4; i++) bob.push(await gen(at(i), KEY_B, `bob ${i}`));
  await tick(c);

  const asked = c.clock.now();
  // With several instances a token can be taken just as another instance claims the job, and
  // then an early job may still be waiting here: it is ahead of everyone in the queue.
  const earlyWaiting = early.filter((id) => !sentAt().has(id)).length;
  const estimate = new Map<string, number>();
  for (const [key, ids] of [
    [KEY_A, alice],
    [KEY_B, bob],
  ] as const) {
    const answers = [];
    for (const b of c.instances) {
      const r = await quota(b, key, [...ids, ...(key === KEY_A ? bob : alice)]);
      expect(r.status).toBe(200);
      answers.push(r.json);
    }
    // Every instance answers alike.
    for (const a of answers) expect(a).toEqual(answers[0]);
    const q = answers[0];
    // Three submits were sent; with several instances a token taken just as another instance
    // claimed the job counts too (the window counts tokens, and so does the estimate).
    expect(q.minute.used).toBeGreaterThanOrEqual(3);
    expect(q.day.used).toBe(q.minute.used);
    expect(q).toMatchObject({
      now: asked,
      day: { limit: 9000 },
      minute: { limit: PER_MINUTE, windowMs: 60_000 },
      pausedUntil: t0 + 70_000,
      pace: { perMinute: PER_MINUTE, slotMs: SLOT },
      queue: { depth: 9 + earlyWaiting, submitting: 0, mine: ids.length + (key === KEY_A ? earlyWaiting : 0) },
      next: { position: 10 + earlyWaiting },
    });
    expect(q.waits).toHaveLength(10 + earlyWaiting);
    expect(q.waits[9 + earlyWaiting]).toBe(q.next.waitMs);
    // Only the caller's own jobs, in dispatch order, at the places their status polls give.
    expect(q.jobs.map((j: { jobId: string }) => j.jobId).sort()).toEqual([...ids].sort());
    for (const j of q.jobs) {
      const s = await call(at(j.position).url, "GET", `/v3/status/${j.jobId}`, { key });
      expect(s.json).toEqual({ jobId: j.jobId, status: "queued", queuePosition: j.position });
      estimate.set(j.jobId, asked + j.waitMs);
      expect(q.waits[j.position - 1]).toBe(j.waitMs);
    }
    // Numbers only: nothing names a key.
    for (const name of ["alice", "bob", "admin"]) expect(JSON.stringify(q)).not.toContain(name);
  }
  expect(estimate.size).toBe(9);

  // Run the queue one virtual second at a time until every job has gone.
  let requeried = false;
  for (let step = 0; step < 300 && [...estimate.keys()].some((id) => !sentAt().has(id)); step++) {
    c.clock.advance(1_000);
    await tick(c);
    // Halfway, the estimates of the jobs still waiting move with the queue and still hold.
    if (!requeried && c.clock.now() >= t0 + 100_000) {
      requeried = true;
      const waiting = [...alice, ...bob].filter((id) => !sentAt().has(id));
      expect(waiting.length).toBeGreaterThan(0);
      for (const [key, ids] of [
        [KEY_A, alice],
        [KEY_B, bob],
      ] as const) {
        const r = await quota(at(ids.length), key, ids);
        for (const j of r.json.jobs) estimate.set(`${j.jobId} later`, r.json.now + j.waitMs);
      }
    }
  }
  const sent = sentAt();
  for (const [label, est] of estimate) {
    const id = label.replace(/ later$/, "");
    expect(sent.has(id)).toBe(true);
    const off = Math.abs(sent.get(id)! - est);
    if (off > SLOT) throw new Error(`${label}: sent at +${sent.get(id)! - t0} ms, estimated +${est - t0} ms`);
  }
  expect(requeried).toBe(true);
}

test("file store: usage, places and waits for the caller's jobs; each job is sent within one slot of its estimate", async () => {
  await paceRun(await cluster(1, {}));
});

test("Redis, three instances: every instance answers the same places and waits, and they hold", async () => {
  redis = await startRedis();
  await paceRun(await cluster(3, { INFILL_REDIS_URL: redis.url, INFILL_REDIS_PREFIX: `quota${Date.now()}:` }));
});

test("bad requests to /v1/quota are answered clearly", async () => {
  const c = await cluster(1, {});
  const b = c.instances[0];
  expect((await call(b.url, "GET", "/v1/quota")).status).toBe(401);
  const post = await call(b.url, "POST", "/v1/quota", { key: KEY_A });
  expect(post.status).toBe(405);
  const many = Array.from({ length: 51 }, (_, i) => `job=${i}`).join("&");
  const r = await call(b.url, "GET", `/v1/quota?${many}`, { key: KEY_A });
  expect(r.status).toBe(400);
  expect(r.json).toMatchObject({ error_code: "bad_request", category: "invalid_input" });
  // Unknown or malformed ids are left out, like another key's jobs.
  const odd = await quota(b, KEY_A, ["nope", "urn:infill:jobs:00000000-0000-4000-8000-000000000000"]);
  expect(odd.status).toBe(200);
  expect(odd.json.jobs).toEqual([]);
  expect(odd.json).toMatchObject({
    day: { used: 0 },
    minute: { used: 0 },
    pausedUntil: null,
    queue: { depth: 0, mine: 0 },
    next: { position: 1, waitMs: 0 },
    waits: [0],
  });
});
