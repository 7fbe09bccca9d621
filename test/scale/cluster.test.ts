// Three broker instances on one Redis behind a round-robin load balancer, one fake Firefly:
// 40 jobs from 4 keys. The org's pace holds for the cluster as a whole (never more than 4 submits
// in any rolling minute), keys are served round-robin, every job ends exactly once, and any
// instance answers for any job (status, queue position, output download). Mid-run, the instance
// holding a submit on the wire dies (its Redis connection drops, the balancer stops sending to
// it): the survivors keep the queue going, poll its submitted jobs to completion, and once its
// lease is over settle the interrupted one exactly once — failed, never sent a second time.
// (An instance dying after its claim but before the submit left it: takeover.test.ts.)
//
// A manual clock drives pacing and leases (virtual minutes), so nothing here waits for real time.

import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { createStoreFromEnv } from "../../src/broker/store/from-env";
import { RedisStore } from "../../src/broker/store/redis";
import type { RateDecision, Store } from "../../src/broker/store/store";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, manualClock, registerSecret, startTestBroker, tmpDir, until, type TestBroker } from "../broker/helpers";
import { startRedis, type TestRedis } from "../store/redis-server";
import { startRoundRobinProxy, type RoundRobinProxy } from "./round-robin-proxy";

const MIN = 60_000;
const STEP = 15_000;
const PER_MINUTE = 4;
const USERS = ["ann", "ben", "cat", "dan"] as const;
const KEYS: Record<string, string> = Object.fromEntries(USERS.map((u) => [u, `ifk_scale_${u}_${randomBytes(12).toString("hex")}`]));
const ADMIN_KEY = `ifk_scale_ops_${randomBytes(12).toString("hex")}`;

let redis: TestRedis;
let ff: FakeFirefly;
let proxy: RoundRobinProxy | undefined;
const brokers: TestBroker[] = [];

afterAll(async () => {
  ff?.tokens.forEach(registerSecret);
  await proxy?.close();
  for (const b of brokers) await b.close().catch(() => undefined);
  await ff?.close();
  await redis?.stop();
});

/** The store of one instance, with every rate decision it made (virtual time). */
function spied(inner: Store, decisions: { now: number; d: RateDecision }[]): Store {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "tryTakeRateToken") {
        return async (now: number, limits: Parameters<Store["tryTakeRateToken"]>[1]) => {
          const d = await target.tryTakeRateToken(now, limits);
          decisions.push({ now, d });
          return d;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** Most submits in any rolling minute (now - 60 s, now], over a list of times. */
function maxPerRollingMinute(times: number[]): number {
  const t = [...times].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[j] <= t[i] - MIN) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

test("3 instances, 40 jobs from 4 keys: one pace, round-robin, exactly once, any instance answers, an instance dies", async () => {
  redis = await startRedis();
  ff = await startFakeFirefly({ pollsToFinish: 2 });
  const clock = manualClock();
  const prefix = `cluster${randomBytes(4).toString("hex")}:`;
  const keysJson = JSON.stringify({ keys: [...USERS.map((u) => ({ name: u, key: KEYS[u] })), { name: "ops", key: ADMIN_KEY, admin: true }] });
  [...Object.values(KEYS), ADMIN_KEY].forEach(registerSecret);
  const env = {
    ...ff.env(),
    INFILL_REDIS_URL: redis.url,
    INFILL_REDIS_PREFIX: prefix,
    INFILL_RATE_PER_MINUTE: String(PER_MINUTE),
    INFILL_MAX_QUEUED_PER_KEY: "50",
    // Lease = upstream timeout + 60 s (virtual); the hung submit of the dead instance gives up after 2 s (real).
    INFILL_UPSTREAM_TIMEOUT_MS: "2000",
  };

  const decisions: { now: number; d: RateDecision }[][] = [];
  for (let i = 0; i < 3; i++) {
    // Every instance has the keys file; nothing else is copied: the output-signing key comes from Redis.
    const dir = tmpDir("infill-scale-");
    fs.writeFileSync(path.join(dir, "keys.json"), keysJson);
    const mine: { now: number; d: RateDecision }[] = [];
    decisions.push(mine);
    const store = spied(createStoreFromEnv(env), mine);
    brokers.push(await startTestBroker(env, { dir, now: clock.now, store }));
  }
  for (const b of brokers) expect(b.store).toBeInstanceOf(RedisStore);
  // No instance keeps a signing key of its own.
  for (const b of brokers) expect(fs.existsSync(path.join(b.dir, "data", "output-signing.key"))).toBe(false);
  proxy = await startRoundRobinProxy(brokers.map((b) => b.url));
  const lb = proxy.url;

  // Hold the queue while the jobs come in, so the order below is the dispatcher's, not arrival luck.
  await brokers[0].store.pauseUntil(clock.now() + 1);
  const jobs: { id: string; user: string; n: number; prompt: string }[] = [];
  for (const user of USERS) {
    for (let n = 0; n < 10; n++) {
      const prompt = `${user} ${n}`;
      const r = await call(lb, "POST", "/v3/images/generate-async", { key: KEYS[user], body: { prompt } });
      expect(r.status).toBe(202);
      expect(r.json.statusUrl).toBe(`${lb}/v3/status/${r.json.jobId}`);
      jobs.push({ id: r.json.jobId, user, n, prompt });
    }
  }
  const byPrompt = new Map(jobs.map((j) => [j.prompt, j]));
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const status = (j: { id: string; user: string }) => call(lb, "GET", `/v3/status/${j.id}`, { key: KEYS[j.user] });
  // Any instance knows every job's place in the cluster-wide round-robin order.
  for (const j of jobs) {
    const s = await status(j);
    expect(s.json).toEqual({ jobId: j.id, status: "queued", queuePosition: j.n * 4 + USERS.indexOf(j.user as (typeof USERS)[number]) + 1 });
  }
  // One user cannot see another's job, whichever instance answers.
  for (let i = 0; i < 3; i++) expect((await call(lb, "GET", `/v3/status/${jobs[0].id}`, { key: KEYS.ben })).status).toBe(404);

  const alive = new Set(brokers);
  const marks: { real: number; virt: number }[] = [];
  const outcome = new Map<string, { status: string; error_code?: string }>();
  let dead: TestBroker | undefined;
  let hungJob: string | undefined;
  const submitCalls = () => ff.calls.filter((c) => c.route === "submit");

  for (let step = 0; step < 80 && outcome.size < jobs.length; step++) {
    clock.advance(STEP);
    marks.push({ real: Date.now(), virt: clock.now() });
    const now = clock.now();
    // Mid-run (the 6th minute): the next submit hangs on the wire, and the instance that sent it dies.
    const killNow = !dead && step === 20;
    if (killNow) ff.inject({ route: "submit", hang: true });
    for (const b of alive) b.dispatcher.kick();
    const probe = [...alive][0].store;
    const hungOnWire = async () => killNow || (!!hungJob && (await probe.getJob(hungJob))?.state === "submitting");
    // Settled: nothing on the wire (but the hung submit), and every live instance was told to wait or the queue is empty.
    await until(async () => {
      const s = await probe.queueStats();
      if (s.submitting !== ((await hungOnWire()) ? 1 : 0)) return false;
      return s.depth === 0 || [...alive].every((b) => decisions[brokers.indexOf(b)].some((x) => x.now === now && !x.d.ok));
    }, `step ${step} to settle`);
    if (killNow) {
      const [onWire] = await [...alive][0].store.expiredClaims(now + 365 * 24 * 3600_000);
      hungJob = onWire.id;
      dead = brokers.find((b) => b.dispatcher.instanceId === onWire.claimedBy)!;
      (dead.store as RedisStore).disconnectNow();
      proxy.markDown(dead.url);
      alive.delete(dead);
    }
    // The housekeeping tick of the survivors (both at once: the interrupted job is settled once).
    if (dead) await Promise.all([...alive].map((b) => b.dispatcher.recoverInterrupted()));
    // Clients poll through the balancer; succeeded outputs are downloaded (through another instance).
    for (const j of jobs) {
      if (outcome.has(j.id)) continue;
      const s = await status(j);
      expect(s.status).toBe(200);
      const st = s.json.status as string;
      if (st === "succeeded" || st === "failed" || st === "cancelled") {
        outcome.set(j.id, { status: st, error_code: s.json.error_code });
        if (st === "succeeded") {
          const url = new URL(s.json.result.outputs[0].image.url as string);
          expect(url.origin).toBe(lb);
          const img = await call(lb, "GET", url.pathname + url.search, { key: null });
          expect(img.status).toBe(200);
          expect(img.body.subarray(1, 4).toString()).toBe("PNG");
        }
      }
    }
  }

  // Every job ended, exactly one way.
  expect(outcome.size).toBe(40);
  expect(dead).toBeDefined();
  expect(hungJob).toBeDefined();
  const failed = [...outcome].filter(([, o]) => o.status !== "succeeded");
  expect(failed).toEqual([[hungJob, { status: "failed", error_code: "submit_interrupted" }]]);

  // Upstream saw 40 submits: 39 bodies, each job once, and the hung one (never resent).
  const subs = submitCalls();
  expect(subs).toHaveLength(40);
  const prompts = subs.filter((c) => c.body).map((c) => (c.body as { prompt: string }).prompt);
  expect(prompts).toHaveLength(39);
  expect(new Set(prompts).size).toBe(39);
  expect(prompts).not.toContain(byId.get(hungJob!)!.prompt);

  // One pace for the cluster: the rate tokens granted, and the submits as upstream saw them, never
  // exceed 4 in any rolling minute (virtual time; a submit belongs to the step it arrived in).
  const granted = decisions
    .flat()
    .filter((x) => x.d.ok)
    .map((x) => x.now);
  expect(granted.length).toBeGreaterThanOrEqual(40);
  expect(maxPerRollingMinute(granted)).toBeLessThanOrEqual(PER_MINUTE);
  const virtOf = (real: number) => [...marks].reverse().find((m) => m.real <= real)!.virt;
  const upstreamTimes = subs.map((c) => virtOf(c.at));
  expect(maxPerRollingMinute(upstreamTimes)).toBe(PER_MINUTE);
  // All three instances sent submits before one died.
  expect(decisions.every((d) => d.some((x) => x.d.ok))).toBe(true);

  // Round-robin across keys, cluster-wide: the k-th minute's submits are the k-th job of every key.
  const groups = new Map<number, string[]>();
  subs.forEach((c, i) => {
    const j = c.body ? byPrompt.get((c.body as { prompt: string }).prompt)! : byId.get(hungJob!)!;
    const g = upstreamTimes[i];
    groups.set(g, [...(groups.get(g) ?? []), `${j.user} ${j.n}`]);
  });
  const rounds = [...groups.values()];
  expect(rounds).toHaveLength(10);
  rounds.forEach((r, k) => expect(r.sort()).toEqual(USERS.map((u) => `${u} ${k}`)));

  // An output link signed by one instance downloads through each of the others (asked directly, not via the balancer).
  const [a, ...others] = [...alive];
  const done = jobs.find((j) => outcome.get(j.id)!.status === "succeeded")!;
  const signed = await call(a.url, "GET", `/v3/status/${done.id}`, { key: KEYS[done.user] });
  const link = new URL(signed.json.result.outputs[0].image.url as string);
  for (const b of [a, ...others]) {
    const img = await call(b.url, "GET", link.pathname + link.search, { key: null });
    expect(img.status).toBe(200);
    expect(img.body.subarray(1, 4).toString()).toBe("PNG");
  }
  // A forged signature is refused everywhere.
  const forged = link.pathname + link.search.replace(/sig=[^&]+/, `sig=${"A".repeat(43)}`);
  for (const b of [a, ...others]) expect((await call(b.url, "GET", forged, { key: null })).status).toBe(403);

  // Jobs the dead instance had submitted were polled to completion through the survivors.
  const deadAccepted = dead!.logs
    .map((l) => JSON.parse(l))
    .filter((e) => e.event === "submit" && e.result === "accepted")
    .map((e) => e.jobId as string);
  for (const id of deadAccepted) expect(outcome.get(id)!.status).toBe("succeeded");

  // Usage, from any instance: each job counted once.
  const usage = await call(lb, "GET", "/v1/usage", { key: ADMIN_KEY });
  expect(usage.status).toBe(200);
  const rows = usage.json.usage as { owner: string; jobs: number; images: number; failures: number }[];
  const sum = (k: "jobs" | "images" | "failures") => rows.reduce((a, r) => a + r[k], 0);
  expect(sum("jobs")).toBe(40);
  expect(sum("images")).toBe(39);
  expect(sum("failures")).toBe(1);
  // Each instance fetched its own IMS token once at most.
  expect(ff.calls.filter((c) => c.route === "ims").length).toBeLessThanOrEqual(3);
  // The balancer really spread the requests over the three instances.
  for (const b of brokers) expect(proxy.served.get(b.url)!).toBeGreaterThan(10);
});
