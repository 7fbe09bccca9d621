// The Store conformance suite: the semantics every store must have, run against the file store and
// the Redis store alike (test/store/*.test.ts): one suite per role (conformance-*.ts), then what
// spans roles (a restart, several instances on one store). Times are passed in (`now`), so
// nothing here waits.

import type { Store } from "../../src/broker/store/store";
import type { SigningKeyStore } from "../../src/broker/store/store";
import { describePollCacheConformance } from "./conformance-polls";
import { describeInstanceRegistryConformance, describeJobsOverviewConformance } from "./conformance-overview";
import { describeJobQueueConformance } from "./conformance-queue";
import { describeRateWindowConformance } from "./conformance-rate";
import { describeSigningKeyConformance } from "./conformance-signing";
import { describeUploadRegistryConformance } from "./conformance-uploads";
import { describeUsageLedgerConformance } from "./conformance-usage";
import { T0, drain, newJob, prng } from "./fixtures";

export { drain, newJob, prng };

export interface StoreHarness {
  /** A fresh, empty, opened store. */
  create(): Promise<Store>;
  /** Close `store` and open a new instance on the same data (a broker restart). */
  reopen(store: Store): Promise<Store>;
  /** Another instance on the same data while `store` stays open (shared stores only). */
  sibling?(store: Store): Promise<Store>;
}

/** A store as a SigningKeyStore (both backends implement it; the contract leaves it optional). */
function signing(open: () => Promise<Store>): () => Promise<SigningKeyStore & Store> {
  return async () => {
    const s = await open();
    if (!s.sharedSigningKey) throw new Error("this store keeps no shared signing key");
    return s as SigningKeyStore & Store;
  };
}

export function describeStoreConformance(name: string, harness: StoreHarness): void {
  describe(`Store conformance: ${name}`, () => {
    const open: Store[] = [];
    const create = async () => {
      const s = await harness.create();
      open.push(s);
      return s;
    };
    const reopen = async (s: Store) => {
      const r = await harness.reopen(s);
      open.push(r);
      return r;
    };
    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((s) => s.close()));
    });

    const sibling = harness.sibling
      ? async (a: Store) => {
          const b = await harness.sibling!(a);
          open.push(b);
          return b;
        }
      : undefined;
    // Each role's own suite, given only that role (the poll cache also needs the queue its snapshots follow).
    describe("JobQueue", () => describeJobQueueConformance(create, sibling && ((a) => sibling(a as Store))));
    describe("RateWindow", () => describeRateWindowConformance(create));
    describe("PollCache", () => describePollCacheConformance(create));
    describe("UsageLedger", () => describeUsageLedgerConformance(create));
    describe("UploadRegistry", () => describeUploadRegistryConformance(create, (s) => reopen(s as Store)));
    describe("SigningKeyStore", () => describeSigningKeyConformance(signing(create), (s) => signing(() => reopen(s as Store))()));
    describe("JobsOverview", () => describeJobsOverviewConformance(create));
    describe("InstanceRegistry", () => describeInstanceRegistryConformance(create));

    test("a restart keeps jobs, their states, the fair order, the rate window, the pause and usage", async () => {
      let s = await create();
      for (const [id, owner] of [
        ["a1", "A"],
        ["a2", "A"],
        ["b1", "B"],
        ["b2", "B"],
        ["c1", "C"],
      ])
        await s.enqueue(newJob(id, owner), 10);
      await s.claimNext("x", 30_000, T0); // a1
      await s.claimNext("x", 30_000, T0); // b1
      await s.markSubmitted("b1", "x", "up-b1", T0 + 1);
      await s.requestCancel("c1", T0 + 2);
      await s.tryTakeRateToken(T0, { perMinute: 2, perDay: 100 });
      await s.tryTakeRateToken(T0, { perMinute: 2, perDay: 100 });
      await s.pauseUntil(T0 + 5_000);
      await s.recordUsage("A", "2026-11-28", { jobs: 1 });
      const before = { a1: await s.getJob("a1"), b1: await s.getJob("b1"), c1: await s.getJob("c1"), a2: await s.getJob("a2") };

      s = await reopen(s);
      expect(await s.getJob("b1")).toEqual(before.b1);
      expect(await s.getJob("c1")).toEqual(before.c1);
      expect(await s.getJob("a2")).toEqual(before.a2);
      // The claim of a dead process is recoverable once its lease is over (the file store ends it at once).
      expect((await s.getJob("a1"))!.state).toBe("submitting");
      expect((await s.expiredClaims(T0 + 30_000)).map((j) => j.id)).toEqual(["a1"]);
      expect(await s.pausedUntil()).toBe(T0 + 5_000);
      expect(await s.tryTakeRateToken(T0 + 6_000, { perMinute: 2, perDay: 100 })).toMatchObject({ ok: false, reason: "minute" });
      expect(await s.usage()).toEqual([{ day: "2026-11-28", owner: "A", jobs: 1, images: 0, failures: 0, uploads: 0 }]);
      // A and B were served; the order continues with the one served longest ago.
      await s.enqueue(newJob("c2", "C"), 10);
      expect(await s.queuePosition("c2")).toBe(1);
      expect(await drain(s)).toEqual(["c2", "a2", "b2"]);
    });

    if (harness.sibling) {
      const sibling = harness.sibling;
      test("instances on the same data share one output-signing key, whoever offers first", async () => {
        const a = await create();
        const b = await sibling(a);
        const c = await sibling(a);
        open.push(b, c);
        const keys = await Promise.all([a, b, c].map((s, i) => s.sharedSigningKey!(Buffer.alloc(32, i + 1))));
        expect(keys.every((k) => k.equals(keys[0]))).toBe(true);
        expect([1, 2, 3].map((i) => Buffer.alloc(32, i).toString("hex"))).toContain(keys[0].toString("hex"));
      });

      test("instances on the same data see one queue, one pace, one pause", async () => {
        const a = await create();
        const b = await sibling(a);
        open.push(b);
        await a.enqueue(newJob("a1", "A"), 10);
        await b.enqueue(newJob("b1", "B"), 10);
        expect(await b.queuePosition("a1")).toBe(1);
        expect((await b.claimNext("inst-b", 30_000, T0))!.id).toBe("a1");
        expect((await a.claimNext("inst-a", 30_000, T0))!.id).toBe("b1");
        expect(await a.markSubmitted("a1", "inst-a", "x", T0)).toBe(false);
        expect(await b.markSubmitted("a1", "inst-b", "up-a1", T0)).toBe(true);
        expect(await a.getJob("a1")).toMatchObject({ state: "submitted", providerJobId: "up-a1" });
        await b.pauseUntil(T0 + 1000);
        expect(await a.tryTakeRateToken(T0, { perMinute: 4, perDay: 100 })).toMatchObject({ ok: false, reason: "paused" });
        const takes = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).tryTakeRateToken(T0 + 1000, { perMinute: 4, perDay: 100 })));
        expect(takes.filter((t) => t.ok)).toHaveLength(4);
        expect(await a.tryBeginStatusPoll("a1", T0, 1000)).toBe(true);
        expect(await b.tryBeginStatusPoll("a1", T0 + 10, 1000)).toBe(false);
      });
    }
  });
}
