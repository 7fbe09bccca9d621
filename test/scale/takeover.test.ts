// Three broker instances on one Redis, one fake Firefly, a manual clock. Two instances die while
// holding a submit claim: one before the job was marked as sending (the request never left it),
// one after (the request is on the wire). Once the leases are over, the survivor sends the first
// job itself — it completes, sent exactly once — and fails the second as `submit_interrupted`
// without resending it (Firefly submits are not idempotent: it may have been billed).

import * as fs from "fs";
import * as path from "path";
import { randomBytes } from "crypto";
import { createStoreFromEnv } from "../../src/broker/store/from-env";
import type { RedisStore } from "../../src/broker/store/redis";
import type { Store } from "../../src/broker/store/store";
import { startFakeFirefly, type FakeFirefly } from "../fakes/firefly";
import { call, manualClock, registerSecret, startTestBroker, tmpDir, until, type TestBroker } from "../broker/helpers";
import { startRedis, type TestRedis } from "../store/redis-server";
import { startRoundRobinProxy, type RoundRobinProxy } from "./round-robin-proxy";

const KEY = `ifk_takeover_ann_${randomBytes(12).toString("hex")}`;

let redis: TestRedis;
let ff: FakeFirefly;
let proxy: RoundRobinProxy | undefined;
const brokers: TestBroker[] = [];
const gates: Gate[] = [];

afterAll(async () => {
  ff?.tokens.forEach(registerSecret);
  for (const g of gates) g.release?.();
  await proxy?.close();
  for (const b of brokers) await b.close().catch(() => undefined);
  await ff?.close();
  await redis?.stop();
});

/** When armed, the next markSending of this instance stalls until released (the instance "dies" there). */
interface Gate {
  armed: boolean;
  held?: string;
  release?: () => void;
}

function gated(inner: Store, gate: Gate): Store {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === "markSending") {
        return async (id: string, claimant: string, now: number) => {
          if (gate.armed) {
            gate.armed = false;
            gate.held = id;
            await new Promise<void>((r) => (gate.release = r));
          }
          return target.markSending(id, claimant, now);
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

test("a claim that expired before the job was marked as sending is taken over and completes; one that expired after is failed, never resent", async () => {
  redis = await startRedis();
  ff = await startFakeFirefly({ pollsToFinish: 2 });
  const clock = manualClock();
  registerSecret(KEY);
  const env = {
    ...ff.env(),
    INFILL_REDIS_URL: redis.url,
    INFILL_REDIS_PREFIX: `takeover${randomBytes(4).toString("hex")}:`,
    INFILL_RATE_PER_MINUTE: "0",
    // Lease = upstream timeout + 60 s (virtual); the hung submit gives up after 2 s (real).
    INFILL_UPSTREAM_TIMEOUT_MS: "2000",
  };
  for (let i = 0; i < 3; i++) {
    const dir = tmpDir("infill-takeover-");
    fs.writeFileSync(path.join(dir, "keys.json"), JSON.stringify({ keys: [{ name: "ann", key: KEY }] }));
    const gate: Gate = { armed: false };
    gates.push(gate);
    brokers.push(await startTestBroker(env, { dir, now: clock.now, store: gated(createStoreFromEnv(env), gate) }));
  }
  const [a, b, c] = brokers;
  proxy = await startRoundRobinProxy(brokers.map((x) => x.url));
  const kill = (x: TestBroker) => {
    (x.store as RedisStore).disconnectNow();
    proxy!.markDown(x.url);
  };
  const submit = async (via: TestBroker, prompt: string) => {
    const r = await call(via.url, "POST", "/v3/images/generate-async", { key: KEY, body: { prompt } });
    expect(r.status).toBe(202);
    return r.json.jobId as string;
  };
  const submitCalls = () => ff.calls.filter((x) => x.route === "submit");

  // Instance a claims "before" and dies before marking it: the request never leaves a.
  gates[0].armed = true;
  const before = await submit(a, "before");
  await until(() => gates[0].held === before, "a to hold its claim");
  expect(await c.store.getJob(before)).toMatchObject({ state: "submitting", claimedBy: a.dispatcher.instanceId });
  expect((await c.store.getJob(before))!.sendingAt).toBeUndefined();
  kill(a);

  // Instance b claims "after", marks it, and dies with the request on the wire (upstream never answers).
  ff.inject({ route: "submit", hang: true });
  const after = await submit(b, "after");
  await until(() => submitCalls().length === 1, "b's submit on the wire");
  expect(await c.store.getJob(after)).toMatchObject({ state: "submitting", claimedBy: b.dispatcher.instanceId, sendingAt: clock.now() });
  kill(b);

  // While the leases hold, the survivor leaves both alone.
  expect(await c.dispatcher.recoverInterrupted()).toBe(0);
  expect(await c.store.queueStats()).toMatchObject({ depth: 0, submitting: 2 });

  // Leases over: one takeover tick settles both.
  clock.advance(62_001);
  expect(await c.dispatcher.recoverInterrupted()).toBe(1);
  const events = () => c.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(events().find((e) => e.event === "claim_taken_over")).toMatchObject({ jobId: before, result: "requeued", claimedBy: a.dispatcher.instanceId });
  expect(events().find((e) => e.event === "submit_interrupted")).toMatchObject({ jobId: after });

  // "before" is sent by the survivor and completes; polled through the balancer.
  let last: Record<string, unknown> = {};
  await until(async () => {
    clock.advance(1_001); // one upstream poll per job per second (virtual)
    last = (await call(proxy!.url, "GET", `/v3/status/${before}`, { key: KEY })).json;
    return last.status === "succeeded";
  }, "the taken-over job to complete");
  expect(events().some((e) => e.event === "submit" && e.jobId === before && e.result === "accepted")).toBe(true);
  const failed = await call(proxy.url, "GET", `/v3/status/${after}`, { key: KEY });
  expect(failed.json).toMatchObject({ status: "failed", error_code: "submit_interrupted" });

  // Instance a wakes up: its store is gone and its claim is not its own any more; nothing is sent.
  gates[0].release!();
  await until(
    () => a.logs.some((l) => l.includes('"store_write_failed"') && l.includes('"markSending"') && l.includes(before)),
    "a to give up its stale claim",
  );

  // Upstream saw "after" once (hung) and "before" once, from the survivor; nothing twice.
  const subs = submitCalls();
  expect(subs).toHaveLength(2);
  expect(subs[0].body).toBeUndefined();
  expect(subs[1].body).toEqual({ prompt: "before" });
  expect(await c.store.getJob(before)).toMatchObject({ state: "succeeded", submitAttempts: 1 });
  expect(await c.store.getJob(after)).toMatchObject({ state: "failed", submitAttempts: 0 });
});
